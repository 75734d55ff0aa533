//! A registry as an image source, with no engine: the OCI distribution API
//! through `oci-client` (token and basic auth, the `www-authenticate`
//! dance), credentials from the docker client configuration (`auths`,
//! `credsStore`, `credHelpers`, through `docker_credential`) or
//! `VIGIE_REGISTRY_USERNAME`/`VIGIE_REGISTRY_PASSWORD`, plain HTTP only when
//! asked (`--insecure-registry`), extra CAs from `/etc/docker/certs.d/HOST/`
//! (docker's convention) and `--registry-ca`.
//!
//! The registry is presented to the image reader as an OCI layout
//! (`source::Blobs`): `index.json` is the reference's manifest (an index
//! when the registry has one, so `--platform` picks from it as it does in a
//! layout), manifests and the config are fetched by digest and verified
//! like a layout's blobs, and layers are streamed into the layer reader as
//! they arrive, never held whole (the reader verifies their digest and diff
//! id).

use crate::error::ImageError;
use crate::layer::{LayerRead, read_layer};
use crate::view::ViewOptions;
use futures_util::StreamExt;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Manifests and configs bigger than this are refused.
const MAX_SMALL: usize = 16 << 20;

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Plain HTTP to the image's registry (a local or test registry).
    pub insecure: bool,
    /// Extra PEM CA files to trust.
    pub ca_files: Vec<PathBuf>,
    /// The docker client configuration directory (credentials); default
    /// `DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config: Option<PathBuf>,
    /// Where docker keeps per-registry CAs (default `/etc/docker/certs.d`).
    pub certs_dir: Option<PathBuf>,
}

fn err(reference: &str, reason: impl std::fmt::Display) -> ImageError {
    ImageError::Registry {
        reference: reference.to_string(),
        reason: reason.to_string(),
    }
}

/// The process-wide TLS provider reqwest needs (`rustls-no-provider`: ring,
/// already in the tree, instead of aws-lc's C build). Installed once.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The registry's host as docker keys credentials and certs.d by it.
fn server_of(reference: &Reference) -> String {
    match reference.registry() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "https://index.docker.io/v1/".to_string(),
        other => other.to_string(),
    }
}

/// Credentials for the registry: the environment, else the docker
/// configuration (a helper may run), else anonymous.
fn credentials(reference: &Reference, options: &RegistryOptions) -> Result<RegistryAuth, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(user), Some(password)) = (var("VIGIE_REGISTRY_USERNAME"), var("VIGIE_REGISTRY_PASSWORD")) {
        return Ok(RegistryAuth::Basic(user, password));
    }
    let dir = options
        .docker_config
        .clone()
        .or_else(|| var("DOCKER_CONFIG").map(PathBuf::from))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".docker")));
    let Some(file) = dir.map(|d| d.join("config.json")) else {
        return Ok(RegistryAuth::Anonymous);
    };
    let reader = match std::fs::File::open(&file) {
        Ok(f) => f.take(1 << 20),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegistryAuth::Anonymous),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    use docker_credential::{CredentialRetrievalError as E, DockerCredential};
    match docker_credential::get_credential_from_reader(reader, &server_of(reference)) {
        Ok(DockerCredential::UsernamePassword(user, password)) => Ok(RegistryAuth::Basic(user, password)),
        Ok(DockerCredential::IdentityToken(token)) => Ok(RegistryAuth::Bearer(token)),
        Err(E::NoCredentialConfigured | E::ConfigNotFound | E::ConfigReadError) => Ok(RegistryAuth::Anonymous),
        Err(e) => Err(format!(
            "credentials for {} from {}: {e}",
            server_of(reference),
            file.display()
        )),
    }
}

fn certificates(reference: &Reference, options: &RegistryOptions) -> Result<Vec<Certificate>, String> {
    let mut files: Vec<PathBuf> = options.ca_files.clone();
    let certs_dir = options
        .certs_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("/etc/docker/certs.d"));
    // The host is a directory name here: only a plain host[:port] is looked up.
    let host = reference.registry();
    if !host.is_empty()
        && !host.contains('/')
        && !host.contains("..")
        && let Ok(entries) = std::fs::read_dir(certs_dir.join(host))
    {
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|e| e == "crt") {
                files.push(entry.path());
            }
        }
    }
    files
        .iter()
        .map(|f| {
            let mut data = Vec::new();
            std::fs::File::open(f)
                .and_then(|file| file.take(1 << 20).read_to_end(&mut data))
                .map_err(|e| format!("cannot read CA {}: {e}", f.display()))?;
            Ok(Certificate {
                encoding: CertificateEncoding::Pem,
                data,
            })
        })
        .collect()
}

/// An opened registry image: a client, its runtime, the reference.
pub(crate) struct RegistryBlobs {
    runtime: tokio::runtime::Runtime,
    client: Client,
    reference: Reference,
    auth: RegistryAuth,
    shown: String,
    /// Manifests by digest: the top one, and those fetched since.
    manifests: HashMap<String, Vec<u8>>,
    top: (String, String, usize),
}

impl RegistryBlobs {
    pub(crate) fn open(target: &str, options: &RegistryOptions) -> Result<RegistryBlobs, ImageError> {
        install_crypto();
        let reference: Reference = target
            .parse()
            .map_err(|e| err(target, format!("not an image reference: {e}")))?;
        let auth = credentials(&reference, options).map_err(|e| err(target, e))?;
        let config = ClientConfig {
            protocol: if options.insecure {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            extra_root_certificates: certificates(&reference, options).map_err(|e| err(target, e))?,
            platform_resolver: None,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            user_agent: concat!("vigie/", env!("CARGO_PKG_VERSION")),
            ..Default::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| err(target, format!("cannot start the async runtime: {e}")))?;
        let client = Client::new(config);
        let (bytes, digest) = runtime
            .block_on(client.pull_manifest_raw(&reference, &auth, MANIFEST_TYPES))
            .map_err(|e| err(target, describe(&e)))?;
        if bytes.len() > MAX_SMALL {
            return Err(err(target, format!("manifest of {} bytes, too large", bytes.len())));
        }
        let media_type = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(str::to_string))
            .unwrap_or_else(|| "application/vnd.oci.image.manifest.v1+json".to_string());
        let len = bytes.len();
        let mut manifests = HashMap::new();
        manifests.insert(digest.clone(), bytes.to_vec());
        Ok(RegistryBlobs {
            runtime,
            client,
            shown: reference.whole(),
            reference,
            auth,
            manifests,
            top: (digest, media_type, len),
        })
    }

    /// The full reference, `registry/repository:tag`.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// The digest of the reference's manifest (or index).
    pub(crate) fn top_digest(&self) -> &str {
        &self.top.0
    }

    fn digest_of(path: &str) -> Option<String> {
        path.strip_prefix("blobs/")
            .and_then(|p| p.split_once('/'))
            .map(|(algorithm, hex)| format!("{algorithm}:{hex}"))
    }

    /// A manifest by digest, fetched once.
    fn manifest(&mut self, digest: &str) -> Result<Vec<u8>, ImageError> {
        if let Some(bytes) = self.manifests.get(digest) {
            return Ok(bytes.clone());
        }
        let by_digest = self.reference.clone_with_digest(digest.to_string());
        let (bytes, _) = self
            .runtime
            .block_on(self.client.pull_manifest_raw(&by_digest, &self.auth, MANIFEST_TYPES))
            .map_err(|e| err(&self.shown, describe(&e)))?;
        if bytes.len() > MAX_SMALL {
            return Err(err(
                &self.shown,
                format!("manifest {digest}: {} bytes, too large", bytes.len()),
            ));
        }
        self.manifests.insert(digest.to_string(), bytes.to_vec());
        Ok(bytes.to_vec())
    }

    /// A small blob (the config), at most `MAX_SMALL` bytes.
    fn small_blob(&self, digest: &str) -> Result<Vec<u8>, ImageError> {
        self.runtime.block_on(async {
            let mut stream = self
                .client
                .pull_blob_stream(&self.reference, digest)
                .await
                .map_err(|e| err(&self.shown, format!("blob {digest}: {}", describe(&e))))?;
            let mut out = Vec::new();
            while let Some(chunk) = stream.stream.next().await {
                let chunk = chunk.map_err(|e| err(&self.shown, format!("blob {digest}: {e}")))?;
                if out.len() + chunk.len() > MAX_SMALL {
                    return Err(err(&self.shown, format!("blob {digest}: over {MAX_SMALL} bytes")));
                }
                out.extend_from_slice(&chunk);
            }
            Ok(out)
        })
    }

    /// Whether `digest` is named as a manifest by a manifest we served.
    fn is_manifest(&self, digest: &str) -> bool {
        self.manifests.values().any(|bytes| {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .and_then(|v| v["manifests"].as_array().cloned())
                .is_some_and(|list| list.iter().any(|m| m["digest"] == digest))
        })
    }

    /// A layer blob as a blocking reader fed by the runtime, chunk by chunk
    /// (a bounded channel: the download waits for the reader).
    fn stream(&self, digest: &str) -> BlobReader {
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<u8>, String>>(16);
        let client = self.client.clone();
        let reference = self.reference.clone();
        let digest = digest.to_string();
        self.runtime.spawn(async move {
            let mut stream = match client.pull_blob_stream(&reference, digest.as_str()).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = sender.send(Err(format!("blob {digest}: {}", describe(&e))));
                    return;
                }
            };
            while let Some(chunk) = stream.stream.next().await {
                let message = chunk.map(|b| b.to_vec()).map_err(|e| format!("blob {digest}: {e}"));
                let failed = message.is_err();
                if sender.send(message).is_err() || failed {
                    return;
                }
            }
        });
        BlobReader {
            chunks: receiver,
            current: Vec::new(),
            position: 0,
        }
    }
}

/// An error of the client, on one line, without its debug noise.
fn describe(e: &oci_client::errors::OciDistributionError) -> String {
    let text = e.to_string();
    let mut source = std::error::Error::source(e);
    let mut parts = vec![text];
    while let Some(s) = source {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        source = s.source();
    }
    let text = parts.join(": ").replace('\n', " ");
    if text.contains("InvalidContentType") || text.contains("corrupt message") {
        // TLS spoken to a plain-HTTP server.
        return format!("{text} (a plain-HTTP registry? use --insecure-registry)");
    }
    text
}

pub(crate) struct BlobReader {
    chunks: mpsc::Receiver<Result<Vec<u8>, String>>,
    current: Vec<u8>,
    position: usize,
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.position >= self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.position = 0;
                }
                Ok(Err(e)) => return Err(std::io::Error::other(e)),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.position);
        buf[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

impl crate::source::Blobs for RegistryBlobs {
    fn small(&mut self, path: &str) -> Result<Option<Vec<u8>>, ImageError> {
        if path == "index.json" {
            // The reference's manifest, as a one-entry layout index.
            let (digest, media_type, size) = &self.top;
            let index = serde_json::json!({
                "schemaVersion": 2,
                "manifests": [{
                    "mediaType": media_type,
                    "digest": digest,
                    "size": size,
                    "annotations": {"org.opencontainers.image.ref.name": self.shown},
                }],
            });
            return Ok(Some(index.to_string().into_bytes()));
        }
        if path == "manifest.json" {
            return Ok(None);
        }
        let Some(digest) = Self::digest_of(path) else {
            return Ok(None);
        };
        if self.manifests.contains_key(&digest) || self.is_manifest(&digest) {
            return self.manifest(&digest).map(Some);
        }
        self.small_blob(&digest).map(Some)
    }

    fn layers(&mut self, paths: &[String], options: &ViewOptions) -> Vec<Result<Option<LayerRead>, ImageError>> {
        // Each layer's download starts when a worker takes it, so no
        // connection waits idle behind another layer.
        let this: &RegistryBlobs = self;
        crate::source::in_parallel(paths, |path| match Self::digest_of(path) {
            Some(digest) => read_layer(this.stream(&digest), path, options)
                .map(Some)
                .map_err(|e| match e {
                    ImageError::Io { .. } => err(&this.shown, format!("layer {digest}: {e}")),
                    other => other,
                }),
            None => Ok(None),
        })
    }
}
