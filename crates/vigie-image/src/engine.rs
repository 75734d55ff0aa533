//! The local engine as an image source: configuration from `inspect`, the
//! filesystem from the image export stream, read as it arrives (no temp file).

use crate::error::ImageError;
use futures_util::StreamExt;
use std::io::Read;
use std::sync::mpsc;
use vigie_snapshot::image::{History, ImageConfig, RuntimeConfig};

fn runtime() -> Result<tokio::runtime::Runtime, ImageError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ImageError::Engine(format!("cannot start the async runtime: {e}")))
}

/// Configuration, id and tags of an engine image.
pub(crate) fn inspect(endpoint: Option<&str>, name: &str) -> Result<(ImageConfig, String, Vec<String>), ImageError> {
    let rt = runtime()?;
    rt.block_on(async {
        let engine = vigie_engine::Engine::connect(endpoint)
            .await
            .map_err(|e| ImageError::Engine(e.to_string()))?;
        let inspect = engine
            .inspect_image(name)
            .await
            .map_err(|e| ImageError::Engine(e.to_string()))?;
        let history = engine.image_history(name).await.unwrap_or_default();
        let runtime_config: RuntimeConfig = inspect
            .config
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let mut config = ImageConfig {
            architecture: inspect.architecture.clone(),
            os: inspect.os.clone(),
            variant: inspect.variant.clone(),
            created: inspect.created.as_ref().map(|c| c.to_string()),
            config: runtime_config,
            ..Default::default()
        };
        config.rootfs.kind = "layers".to_string();
        config.rootfs.diff_ids = inspect
            .root_fs
            .as_ref()
            .and_then(|r| r.layers.clone())
            .unwrap_or_default();
        // The history API lists newest first.
        config.history = history
            .into_iter()
            .rev()
            .map(|h| History {
                created: None,
                created_by: h.created_by,
                comment: h.comment,
                empty_layer: h.size == 0,
            })
            .collect();
        Ok((
            config,
            inspect.id.unwrap_or_default(),
            inspect.repo_tags.unwrap_or_default(),
        ))
    })
}

/// A blocking reader over the engine's export stream, fed by a thread.
pub(crate) struct ExportReader {
    chunks: mpsc::Receiver<Result<Vec<u8>, String>>,
    current: Vec<u8>,
    position: usize,
}

impl Read for ExportReader {
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

pub(crate) fn export(endpoint: Option<&str>, name: &str) -> Result<ExportReader, ImageError> {
    let (sender, receiver) = mpsc::sync_channel::<Result<Vec<u8>, String>>(32);
    let endpoint = endpoint.map(str::to_string);
    let name = name.to_string();
    let rt = runtime()?;
    std::thread::spawn(move || {
        rt.block_on(async move {
            let engine = match vigie_engine::Engine::connect(endpoint.as_deref()).await {
                Ok(e) => e,
                Err(e) => {
                    let _ = sender.send(Err(e.to_string()));
                    return;
                }
            };
            let mut stream = Box::pin(engine.export_image(&name));
            while let Some(chunk) = stream.next().await {
                let message = chunk.map(|b| b.to_vec()).map_err(|e| e.to_string());
                let failed = message.is_err();
                if sender.send(message).is_err() || failed {
                    return;
                }
            }
        });
    });
    Ok(ExportReader {
        chunks: receiver,
        current: Vec::new(),
        position: 0,
    })
}
