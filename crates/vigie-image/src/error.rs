//! One error type for every way an image can fail to open or read.

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("image '{0}' not found: not a file, a directory, nor an image in the engine")]
    NotFound(String),
    #[error("{target}: not a recognised image source ({reason})")]
    Unrecognised { target: String, reason: String },
    #[error("{source_name}: invalid {what}: {reason}")]
    Invalid {
        source_name: String,
        what: String,
        reason: String,
    },
    #[error("{source_name}: manifest references missing blob {blob}")]
    MissingBlob { source_name: String, blob: String },
    #[error("{source_name}: digest mismatch for blob {blob}: content hashes to {actual}")]
    DigestMismatch {
        source_name: String,
        blob: String,
        actual: String,
    },
    #[error("layer {layer}: {reason}")]
    Layer { layer: String, reason: String },
    #[error("{source_name}: no manifest for platform {platform} (available: {available})")]
    NoPlatform {
        source_name: String,
        platform: String,
        available: String,
    },
    #[error("engine: {0}")]
    Engine(String),
    #[error("registry image {reference}: {reason}")]
    Registry { reference: String, reason: String },
}

impl ImageError {
    pub(crate) fn io(path: impl std::fmt::Display, err: impl std::fmt::Display) -> Self {
        ImageError::Io {
            path: path.to_string(),
            reason: err.to_string(),
        }
    }

    pub(crate) fn invalid(source: &str, what: &str, reason: impl std::fmt::Display) -> Self {
        ImageError::Invalid {
            source_name: source.to_string(),
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }
}
