//! A short-lived probe container: the image's own filesystem, environment,
//! USER and WORKDIR, but its entrypoint and command replaced by a host binary
//! bind-mounted read-only (`vigie audit image --runtime` runs `vigie inside`
//! this way, so no code of the image runs). Hardened, bounded in time and
//! output, always removed: explicitly on every path, by the engine itself
//! (`AutoRemove`) if vigie dies after start, and by a guard if the future is
//! dropped (Ctrl-C). `probe_config` is pure so the profile is testable
//! without an engine.

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::{Engine, EngineError};

/// Label every probe container carries (scripts clean up by it).
pub const PROBE_LABEL: &str = "io.vigie.probe";
/// Where the probe binary appears in the container.
pub const MOUNT_POINT: &str = "/.vigie/vigie";
/// Memory limit of a probe: a static binary's pages are reclaimable page cache, 128 MiB is ample.
pub const MEMORY_BYTES: i64 = 128 << 20;
pub const PIDS_LIMIT: i64 = 32;
/// Output beyond this is a broken probe, not a report.
const MAX_OUTPUT: usize = 8 << 20;

/// One probe run.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeRequest {
    /// Image reference or id (an id pins exactly the image that was inspected).
    pub image: String,
    /// Host path of the binary to run (must be static: the image may have no libc).
    pub binary: PathBuf,
    /// Arguments after the binary.
    pub args: Vec<String>,
    /// Labels besides `io.vigie.probe=1`.
    pub labels: Vec<(String, String)>,
    pub timeout: Duration,
}

/// What the probe printed and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOutput {
    pub container_id: String,
    /// None when the engine had already removed the container before it was asked.
    pub exit_code: Option<i64>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

/// The hardened profile, in words, for reports.
pub const PROFILE_SUMMARY: &str = "--cap-drop ALL, no-new-privileges, read-only rootfs, network none, \
pids-limit 32, memory 128m, image entrypoint and command replaced";

/// The container configuration of a probe: USER and WORKDIR are the image's
/// (left unset), the entrypoint is the mounted binary, the command is empty.
pub fn probe_config(request: &ProbeRequest) -> ContainerCreateBody {
    let mut labels: HashMap<String, String> = request.labels.iter().cloned().collect();
    labels.insert(PROBE_LABEL.to_string(), "1".to_string());
    let mut entrypoint = vec![MOUNT_POINT.to_string()];
    entrypoint.extend(request.args.iter().cloned());
    let host_config = HostConfig {
        binds: Some(vec![format!("{}:{MOUNT_POINT}:ro", request.binary.display())]),
        cap_drop: Some(vec!["ALL".to_string()]),
        security_opt: Some(vec!["no-new-privileges:true".to_string()]),
        readonly_rootfs: Some(true),
        network_mode: Some("none".to_string()),
        pids_limit: Some(PIDS_LIMIT),
        memory: Some(MEMORY_BYTES),
        privileged: Some(false),
        auto_remove: Some(true),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(request.image.clone()),
        // A non-empty entrypoint makes the engine ignore the image's CMD.
        entrypoint: Some(entrypoint),
        cmd: None,
        user: None,
        working_dir: None,
        network_disabled: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(false),
        labels: Some(labels),
        host_config: Some(host_config),
        ..Default::default()
    }
}

/// Removes the container if the probe future is dropped before it finished
/// (Ctrl-C, a dropped task). Drop cannot await, so a plain thread with its
/// own runtime and connection does the removal, and Drop waits for it.
struct RemoveGuard {
    endpoint: String,
    id: String,
    armed: bool,
}

impl Drop for RemoveGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let endpoint = self.endpoint.clone();
        let id = self.id.clone();
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(engine) = Engine::connect(Some(&endpoint)).await {
                    let _ = engine.remove_probe(&id).await;
                }
            });
        });
        let _ = worker.join();
    }
}

impl Engine {
    /// Create, start, read and remove one probe container.
    pub async fn run_probe(&self, request: &ProbeRequest) -> Result<ProbeOutput, EngineError> {
        let started = Instant::now();
        let created = self
            .docker
            .create_container(
                None::<bollard::query_parameters::CreateContainerOptions>,
                probe_config(request),
            )
            .await
            .map_err(|e| EngineError::Request {
                what: "create probe container".to_string(),
                reason: crate::engine_message(&e),
            })?;
        let mut guard = RemoveGuard {
            endpoint: self.endpoint.clone(),
            id: created.id.clone(),
            armed: true,
        };
        let driven = tokio::time::timeout(request.timeout, self.drive_probe(&created.id)).await;
        // Removed on every path; a probe that hangs is killed by the forced removal.
        let removed = self.remove_probe(&created.id).await;
        guard.armed = removed.is_err();
        let (exit_code, stdout, stderr) = match driven {
            Err(_) => {
                return Err(EngineError::Request {
                    what: "run probe container".to_string(),
                    reason: format!("no result within {} s; killed", request.timeout.as_secs()),
                });
            }
            Ok(result) => result?,
        };
        removed?;
        Ok(ProbeOutput {
            container_id: created.id,
            exit_code,
            stdout,
            stderr,
            elapsed: started.elapsed(),
        })
    }

    /// Force-remove a probe container; one already gone (AutoRemove) is fine.
    pub async fn remove_probe(&self, id: &str) -> Result<(), EngineError> {
        let options = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        let failed = |e: &bollard::errors::Error| EngineError::Request {
            what: format!("remove probe container {}", id.get(..12).unwrap_or(id)),
            reason: crate::engine_message(e),
        };
        match self.docker.remove_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            // Already removed (the engine's own AutoRemove).
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
            // AutoRemove is under way: wait until it is done, so "removed" holds when we return.
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => {
                let wait = bollard::query_parameters::WaitContainerOptionsBuilder::default()
                    .condition("removed")
                    .build();
                let mut stream = self.docker.wait_container(id, Some(wait));
                match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
                    Err(_) => Err(EngineError::Request {
                        what: format!("remove probe container {}", id.get(..12).unwrap_or(id)),
                        reason: "the engine did not finish removing it within 10 s".to_string(),
                    }),
                    Ok(None | Some(Ok(_))) => Ok(()),
                    Ok(Some(Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }))) => Ok(()),
                    Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { .. }))) => Ok(()),
                    Ok(Some(Err(e))) => Err(failed(&e)),
                }
            }
            Err(e) => Err(failed(&e)),
        }
    }

    /// Attach (before start, so nothing is lost), start, read to the end, ask the exit code.
    async fn drive_probe(&self, id: &str) -> Result<(Option<i64>, Vec<u8>, Vec<u8>), EngineError> {
        let step = |what: &'static str| {
            move |e: bollard::errors::Error| EngineError::Request {
                what: what.to_string(),
                reason: crate::engine_message(&e),
            }
        };
        let attach = bollard::query_parameters::AttachContainerOptionsBuilder::default()
            .stream(true)
            .stdout(true)
            .stderr(true)
            .build();
        let bollard::container::AttachContainerResults { mut output, mut input } = self
            .docker
            .attach_container(id, Some(attach))
            .await
            .map_err(step("attach to probe container"))?;
        // Nothing to send: half-close, as the docker CLI does, so the stream ends at exit.
        let _ = tokio::io::AsyncWriteExt::shutdown(&mut input).await;
        self.docker
            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .map_err(step("start probe container"))?;
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        while let Some(frame) = output.next().await {
            match frame.map_err(step("read probe output"))? {
                LogOutput::StdOut { message } | LogOutput::Console { message } => stdout.extend_from_slice(&message),
                LogOutput::StdErr { message } => stderr.extend_from_slice(&message),
                LogOutput::StdIn { .. } => {}
            }
            if stdout.len() + stderr.len() > MAX_OUTPUT {
                return Err(EngineError::Request {
                    what: "read probe output".to_string(),
                    reason: format!("more than {} MiB of output", MAX_OUTPUT >> 20),
                });
            }
        }
        let wait = bollard::query_parameters::WaitContainerOptionsBuilder::default()
            .condition("not-running")
            .build();
        let exit_code = match self.docker.wait_container(id, Some(wait)).next().await {
            Some(Ok(r)) => Some(r.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Some(code),
            _ => None,
        };
        Ok((exit_code, stdout, stderr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ProbeRequest {
        ProbeRequest {
            image: "sha256:abc".into(),
            binary: PathBuf::from("/opt/vigie"),
            args: vec!["inside".into(), "--format".into(), "json".into()],
            labels: vec![("io.vigie.test".into(), "1".into())],
            timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn hardened_and_image_user_kept() {
        let c = probe_config(&request());
        assert_eq!(c.user, None, "the image's USER is what is observed");
        assert_eq!(c.working_dir, None);
        assert_eq!(c.cmd, None);
        assert_eq!(
            c.entrypoint.as_deref(),
            Some(
                &[
                    "/.vigie/vigie".to_string(),
                    "inside".into(),
                    "--format".into(),
                    "json".into()
                ][..]
            )
        );
        let labels = c.labels.unwrap();
        assert_eq!(labels.get("io.vigie.probe").map(String::as_str), Some("1"));
        assert_eq!(labels.get("io.vigie.test").map(String::as_str), Some("1"));
        let h = c.host_config.unwrap();
        assert_eq!(h.binds, Some(vec!["/opt/vigie:/.vigie/vigie:ro".to_string()]));
        assert_eq!(h.cap_drop, Some(vec!["ALL".to_string()]));
        assert_eq!(h.cap_add, None);
        assert_eq!(h.security_opt, Some(vec!["no-new-privileges:true".to_string()]));
        assert_eq!(h.readonly_rootfs, Some(true));
        assert_eq!(h.network_mode.as_deref(), Some("none"));
        assert_eq!(h.privileged, Some(false));
        assert_eq!(h.auto_remove, Some(true));
        assert!(h.pids_limit.unwrap() > 0 && h.memory.unwrap() > 0);
    }
}
