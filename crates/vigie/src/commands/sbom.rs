//! `vigie sbom IMAGE`: every package in an image (OS and language
//! ecosystems), as a table, vigie's JSON, CycloneDX 1.5 or SPDX 2.3 (lab §2.5:
//! scanning starts with knowing what is inside the image).

use anyhow::Context;
use std::path::PathBuf;

use vigie_report::sbom::{Subject, cyclonedx, now_utc, spdx, table, vigie_sbom};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "List every package in an image: OS and language ecosystems, as a table, JSON, CycloneDX or SPDX",
    long_about = "List the packages of an image: dpkg, apk and rpm databases, Python, Node, Rust, Go and Java \
packages, each with its version, package URL, source package, licences, the file it came from and the layer that \
introduced it.\n\nIMAGE is an image in the engine (name or id), a `docker save` archive (.tar, .tar.gz), an OCI \
image layout directory or oci-archive tar, or a root filesystem directory. Prefixes force the kind: docker:, \
docker-archive:, oci:, oci-archive:, dir:. Nothing is extracted to disk.\n\nWhen something could not be read \
(an unreadable file or directory, a file over the size limit, a database entry not understood) the SBOM is still \
written, marked incomplete (JSON `incomplete`, a CycloneDX `vigie:incomplete` property, an SPDX annotation, a \
table footer), and the exit code is 2 unless --allow-incomplete is given.",
    after_help = "Examples:\n  vigie sbom alpine:3.10\n  vigie sbom image.tar -f cyclonedx -o sbom.cdx.json\n  \
vigie sbom oci:./layout --platform linux/arm64 -f spdx\n  vigie sbom dir:/ -f json"
)]
pub struct Args {
    /// Image: engine name/id, docker-archive, OCI layout or archive, or dir:PATH
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub source: super::image_source::ImageSourceArgs,
    /// Package types to list: os (dpkg, apk, rpm: on a directory only their databases are read), library, all
    #[arg(long, value_enum, default_value_t = PackageTypes::All, value_name = "TYPES")]
    pub pkg_types: PackageTypes,
    /// Exit 0 even when the SBOM is incomplete (it stays marked incomplete)
    #[arg(long)]
    pub allow_incomplete: bool,
    /// No progress bar and no warnings on stderr (errors still are)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PackageTypes {
    All,
    Os,
    Library,
}

impl From<PackageTypes> for vigie_catalog::PackageTypes {
    fn from(t: PackageTypes) -> Self {
        match t {
            PackageTypes::All => vigie_catalog::PackageTypes::All,
            PackageTypes::Os => vigie_catalog::PackageTypes::Os,
            PackageTypes::Library => vigie_catalog::PackageTypes::Library,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Cyclonedx,
    Spdx,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let options = args.source.open_options(global);
    let image = vigie_image::open_with(&args.image, &options).with_context(|| format!("cannot open {}", args.image))?;
    let view_options = vigie_catalog::view_options_for(args.pkg_types.into());
    let view = crate::progress::read_view(&image, view_options, args.quiet, &args.image)?;
    let catalog = vigie_catalog::catalog_for(&view, args.pkg_types.into());
    let subject = Subject {
        reference: args.image.clone(),
        source: image.kind.as_str().to_string(),
        id: image.id.clone(),
        tags: image.repo_tags.clone(),
        layers: view.layers.iter().map(|l| l.diff_id.clone()).collect(),
    };
    // The files read are catalogued: free them before the report is built.
    drop(view);
    let text = match args.format {
        Format::Table => table(&subject, &catalog),
        Format::Json => pretty(&vigie_sbom(&subject, &catalog))?,
        Format::Cyclonedx => pretty(&cyclonedx(&subject, &catalog, &now_utc()))?,
        Format::Spdx => pretty(&spdx(&subject, &catalog, &now_utc()))?,
    };
    crate::output::emit(&text, args.output.as_deref())?;
    if args.format != Format::Table && !args.quiet {
        for w in catalog.warnings.iter().take(MAX_WARNINGS_SHOWN) {
            crate::output::say_err(&format!("vigie: warning: {w}"));
        }
        if catalog.warnings.len() > MAX_WARNINGS_SHOWN {
            crate::output::say_err(&format!(
                "vigie: warning: … and {} more (all in the report)",
                catalog.warnings.len() - MAX_WARNINGS_SHOWN
            ));
        }
    }
    if catalog.is_incomplete() && !args.allow_incomplete {
        anyhow::bail!(
            "incomplete sbom of {}: {} warning(s) about what could not be read; --allow-incomplete accepts a partial result",
            args.image,
            catalog.incomplete.len()
        );
    }
    Ok(Outcome::Clean)
}

/// Warnings repeated on stderr; the report has them all.
const MAX_WARNINGS_SHOWN: usize = 20;

fn pretty(value: &impl serde::Serialize) -> anyhow::Result<String> {
    vigie_report::sbom::pretty(value).context("cannot serialise the SBOM")
}
