//! The options every command that reads an image shares (`sbom`, `scan`,
//! `audit image`): which platform of a multi-platform image, where a bare
//! name comes from (the engine or a registry), and how to reach registries.

use std::path::PathBuf;

use crate::cli::GlobalArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageSrc {
    /// The local Docker engine
    Engine,
    /// The image's registry, over the OCI distribution API (no engine needed)
    Remote,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImageSourceArgs {
    /// Platform to pick from a multi-platform image or index (os/arch[/variant]; default: this machine's)
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Where a bare IMAGE name is read from; a prefix always wins (docker:, registry:, oci:, docker-archive:, oci-archive:, dir:)
    #[arg(long, value_enum, default_value_t = ImageSrc::Engine, value_name = "SOURCE")]
    pub image_src: ImageSrc,
    /// Talk plain HTTP to the image's registry (a local or test registry; never for a public one)
    #[arg(long)]
    pub insecure_registry: bool,
    /// Extra CA certificate (PEM) to trust for the registry, besides the system's and /etc/docker/certs.d/HOST/*.crt
    #[arg(long, value_name = "FILE")]
    pub registry_ca: Vec<PathBuf>,
}

impl ImageSourceArgs {
    /// The image reader's options: the engine docker would use, the
    /// registry settings, and the docker configuration for credentials.
    pub fn open_options(&self, global: &GlobalArgs) -> vigie_image::OpenOptions {
        vigie_image::OpenOptions {
            engine: global.engine.clone(),
            platform: self.platform.clone(),
            remote: self.image_src == ImageSrc::Remote,
            registry: vigie_image::RegistryOptions {
                insecure: self.insecure_registry,
                ca_files: self.registry_ca.clone(),
                docker_config: global.docker_config.clone(),
                certs_dir: None,
            },
        }
    }
}
