//! Image requests: inspect, history, and the export stream (`docker save`
//! of one image) that `vigie-image` reads as it arrives.

use crate::connect::{Engine, EngineError};
use futures_util::{Stream, StreamExt};

impl Engine {
    fn image_error(&self, name: &str, err: bollard::errors::Error) -> EngineError {
        match err {
            bollard::errors::Error::DockerResponseServerError { status_code: 404, .. } => {
                EngineError::NoSuchImage(name.to_string())
            }
            other => EngineError::Request {
                what: format!("image {name}"),
                reason: other.to_string(),
            },
        }
    }

    /// Raw `docker image inspect` of one image.
    pub async fn inspect_image(&self, name: &str) -> Result<bollard::models::ImageInspect, EngineError> {
        self.docker
            .inspect_image(name)
            .await
            .map_err(|e| self.image_error(name, e))
    }

    /// `docker history`, newest layer first.
    pub async fn image_history(
        &self,
        name: &str,
    ) -> Result<Vec<bollard::models::ImageHistoryResponseItem>, EngineError> {
        self.docker
            .image_history(name)
            .await
            .map_err(|e| self.image_error(name, e))
    }

    /// The image as a `docker save` tar stream, chunk by chunk.
    pub fn export_image(&self, name: &str) -> impl Stream<Item = Result<bytes::Bytes, EngineError>> + use<'_> {
        let name = name.to_string();
        self.docker
            .export_image(&name)
            .map(move |chunk| chunk.map_err(|e| self.image_error(&name, e)))
    }
}
