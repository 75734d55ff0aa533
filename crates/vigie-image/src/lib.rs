//! Image sources (engine, archives, OCI layouts, directories, registries) → layers → one merged, read-only filesystem view.
//! Pipeline place: the first stage of `sbom` and `scan` (and of the image
//! configuration checks): `open(target)` finds and describes the image,
//! `Image::view(options)` streams its layers (whiteouts, opaque directories,
//! digests verified) keeping only the files a consumer asked for. Nothing is
//! extracted to disk. Prints nothing.

pub mod checks;
mod dir;
pub mod elf;
mod engine;
mod error;
mod layer;
mod registry;
mod source;
mod view;

pub use dir::view_of_open_file;
pub use error::ImageError;
pub use registry::RegistryOptions;
pub use source::{Image, OpenOptions, open, open_with};
pub use view::{Extractor, Progress, ReadSeek, SectionExtractor, SeekExtractor, ViewOptions, Want, WantFn};
// The plain data (image configuration, filesystem view) lives in
// vigie-snapshot; re-exported at its old paths.
pub use vigie_snapshot::filesystem::{Entry, EntryKind, FileSystemView, LayerInfo, RemovedEntry, Version};
pub use vigie_snapshot::image::{Healthcheck, History, ImageConfig, ImageSubject, RootFs, RuntimeConfig, SourceKind};

/// Read one layer blob for fuzzing and benchmarks: returns the number of entries.
#[doc(hidden)]
pub fn read_layer_for_fuzz(bytes: &[u8]) -> Result<usize, ImageError> {
    let options = ViewOptions {
        want: |p, _, _| {
            if p.starts_with("/etc/") {
                Want::Content
            } else {
                Want::No
            }
        },
        keep_all_metadata: true,
        ..Default::default()
    };
    layer::read_layer(bytes, "fuzz", &options).map(|l| l.items.len())
}

/// Read a whole image archive (docker-archive or oci-archive tar) from
/// memory, for fuzzing: returns the number of entries of the merged view.
#[doc(hidden)]
pub fn read_archive_for_fuzz(bytes: &[u8]) -> Result<usize, ImageError> {
    source::view_of_archive_bytes(bytes, &checks::view_options()).map(|v| v.len())
}
