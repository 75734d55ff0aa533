//! Package cataloguers and OS detection. Pipeline place: after
//! `vigie-image` built a filesystem view, before matching (`scan`) or an
//! SBOM printer (`sbom`). One module per cataloguer, each: view in,
//! packages out. Prints nothing.

pub mod apk;
pub mod copyright;
pub mod dpkg;
pub mod lang;
pub mod licence;
pub mod os;
pub mod purl;
pub mod rpm;
pub mod sbom;

pub use os::{OsInfo, OsKind};
use vigie_image::{ViewOptions, Want};
use vigie_snapshot::filesystem::FileSystemView;

pub use vigie_snapshot::package::{Catalog, Ecosystem, Package};

/// The files every cataloguer needs, for `Image::view`.
pub fn view_options() -> ViewOptions {
    ViewOptions {
        want,
        elf_sections: lang::binary::SECTIONS,
        elf_extract: Some(lang::binary::extract_section),
        zip_extract: Some(lang::java::extract_in_place),
        maybe_wanted,
        ..Default::default()
    }
}

/// Which packages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PackageTypes {
    /// OS and language packages.
    #[default]
    All,
    /// The distribution's packages only (dpkg, apk, rpm): a directory source
    /// reads only their databases and the release files, no walk.
    Os,
    /// Language packages only.
    Library,
}

/// The OS files, as fixed paths (a trailing `/`: a directory).
static OS_PATHS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut paths: Vec<&'static str> = os::RELEASE_FILES.to_vec();
    paths.extend(dpkg::PATHS);
    // Debian licences: /usr/share/doc/<package>/copyright.
    paths.push("/usr/share/doc/");
    paths.extend(apk::INSTALLED);
    for dir in rpm::DIRS {
        for file in rpm::FILES {
            paths.push(Box::leak(format!("{dir}{file}").into_boxed_str()));
        }
    }
    paths
});

/// `view_options` for some package types.
pub fn view_options_for(types: PackageTypes) -> ViewOptions {
    match types {
        PackageTypes::All => view_options(),
        PackageTypes::Os => ViewOptions {
            want: want_os,
            only_paths: Some(OS_PATHS.as_slice()),
            maybe_wanted: os_file,
            ..Default::default()
        },
        PackageTypes::Library => ViewOptions {
            want: want_library,
            ..view_options()
        },
    }
}

fn os_file(path: &str) -> bool {
    os::wants(path) || dpkg::wants(path) || apk::wants(path) || rpm::wants(path) || copyright::wants(path)
}

fn want_os(path: &str, size: u64, _: u32) -> Want {
    if copyright::wants(path) {
        return if size <= copyright::MAX_SIZE {
            Want::Content
        } else {
            Want::No
        };
    }
    if os_file(path) { Want::Content } else { Want::No }
}

fn want_library(path: &str, size: u64, mode: u32) -> Want {
    // The release files still name the OS; the package databases are left out.
    if dpkg::wants(path) || apk::wants(path) || rpm::wants(path) {
        return Want::No;
    }
    want(path, size, mode)
}

/// Whether `want` may keep `path` for some size and mode.
fn maybe_wanted(path: &str) -> bool {
    lang::java::wants(path) || os_file(path) || lang::wants(path) || lang::binary::may_be_binary(path)
}

fn want(path: &str, size: u64, mode: u32) -> Want {
    if lang::java::wants(path) {
        return Want::Extract(lang::java::extract);
    }
    if copyright::wants(path) {
        return if size <= copyright::MAX_SIZE {
            Want::Content
        } else {
            Want::No
        };
    }
    if os::wants(path) || dpkg::wants(path) || apk::wants(path) || rpm::wants(path) || lang::wants(path) {
        return Want::Content;
    }
    if let Some(extract) = lang::wants_binary(path, size, mode) {
        return Want::Extract(extract);
    }
    Want::No
}

/// At most this many packages are read from one file (a package database or
/// a lockfile): real ones hold a few thousand (a large distribution image
/// ~3,000, a monorepo's lockfile ~30,000); a file with more is hostile or
/// broken, and reading it whole would cost gigabytes. Parsers stop past it
/// and the catalog keeps the first ones, marked incomplete.
pub const MAX_PACKAGES_PER_FILE: usize = 50_000;

/// Whether a cataloguer reads a lockfile of this name (`go.sum`, `yarn.lock`…).
pub fn reads_lockfile(name: &str) -> bool {
    lang::wants(&format!("/{name}"))
}

/// Run every cataloguer over the view.
pub fn catalog(view: &FileSystemView) -> Catalog {
    catalog_for(view, PackageTypes::All)
}

/// Run the cataloguers of some package types over the view.
pub fn catalog_for(view: &FileSystemView, types: PackageTypes) -> Catalog {
    let mut warnings: Vec<String> = view.warnings.clone();
    let mut os = os::detect(view);
    let mut packages = Vec::new();
    if types != PackageTypes::Library {
        packages.extend(dpkg::catalog(view, &os, &mut warnings));
        packages.extend(apk::catalog(view, &os, &mut warnings));
        packages.extend(rpm::catalog(view, &os, &mut warnings));
    }
    let os_count = packages.len();
    if types != PackageTypes::Os {
        packages.extend(lang::catalog(view, &mut warnings));
    }
    limit_per_file(&mut packages, &mut warnings);
    let incomplete = warnings.clone();
    if types == PackageTypes::Library {
        // OS packages were not asked for: no note about their absence.
        os::explain(&mut os, view, os_count, &mut Vec::new());
    } else {
        os::explain(&mut os, view, os_count, &mut warnings);
    }
    packages.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version, &a.found_in).cmp(&(b.ecosystem, &b.name, &b.version, &b.found_in))
    });
    packages.dedup_by(|a, b| {
        a.ecosystem == b.ecosystem && a.name == b.name && a.version == b.version && a.found_in == b.found_in
    });
    Catalog {
        os,
        packages,
        warnings,
        incomplete,
    }
}

/// Keep at most `MAX_PACKAGES_PER_FILE` packages of each file, in order,
/// with a warning (an incomplete mark) for each file cut.
fn limit_per_file(packages: &mut Vec<Package>, warnings: &mut Vec<String>) {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in packages.iter() {
        *counts.entry(p.found_in.as_str()).or_default() += 1;
    }
    let mut over: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n > MAX_PACKAGES_PER_FILE)
        .map(|(f, _)| f.to_string())
        .collect();
    if over.is_empty() {
        return;
    }
    over.sort();
    let mut kept: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    packages.retain(|p| {
        if !over.contains(&p.found_in) {
            return true;
        }
        let n = kept.entry(p.found_in.clone()).or_default();
        *n += 1;
        *n <= MAX_PACKAGES_PER_FILE
    });
    for file in over {
        warnings.push(format!(
            "{file}: more than {MAX_PACKAGES_PER_FILE} packages in one file (a hostile or broken file?): the first {MAX_PACKAGES_PER_FILE} are listed, the rest not read"
        ));
    }
}

/// The layer that introduced each package of a database file: the oldest
/// layer of the unbroken run of versions, ending at the top, that list it
/// with the same version.
pub(crate) fn attribute<F>(
    view: &FileSystemView,
    path: &str,
    parse: F,
) -> std::collections::HashMap<(String, String), usize>
where
    F: Fn(&[u8]) -> Vec<(String, String)>,
{
    let mut result = std::collections::HashMap::new();
    let history = view.history(path);
    let Some((top_layer, top)) = history.last() else {
        return result;
    };
    let mut alive: std::collections::HashSet<(String, String)> = parse(top).into_iter().collect();
    for key in &alive {
        result.insert(key.clone(), *top_layer);
    }
    for (layer, content) in history.iter().rev().skip(1) {
        let here: std::collections::HashSet<(String, String)> = parse(content).into_iter().collect();
        alive.retain(|k| here.contains(k));
        if alive.is_empty() {
            break;
        }
        for key in &alive {
            result.insert(key.clone(), *layer);
        }
    }
    result
}

/// Run the language cataloguer that owns `path` on `bytes`, for fuzzing.
#[doc(hidden)]
pub fn parse_language_file_for_fuzz(path: &str, bytes: &[u8]) -> usize {
    let mut warnings = Vec::new();
    let mut n = 0;
    if lang::python::wants(path) {
        n += lang::python::parse(path, bytes, &mut warnings).len();
    }
    if lang::node::wants(path) {
        n += lang::node::parse(path, bytes, &mut warnings).len();
    }
    if lang::rust::wants(path) {
        n += lang::rust::parse(path, bytes, &mut warnings).len();
    }
    if lang::java::wants(path) {
        n += lang::java::parse(path, bytes, &mut warnings).len();
    }
    if let Some(extract) = lang::binary::extract(bytes) {
        n += lang::binary::parse(path, &extract, &mut warnings).len();
    }
    n
}
