//! `vigie audit image IMAGE --runtime`: the lab's `docker run --rm img id
//! appuser`, generalised. The image is started through the engine with its
//! own USER and WORKDIR, its entrypoint and command replaced by a static
//! vigie bind-mounted read-only running `vigie inside --format json`, under a
//! hardened profile (vigie_engine::probe). No code of the image runs; the
//! container is always removed.
//!
//! Capabilities: the probe runs with `--cap-drop ALL`, so what it observes
//! is the hardened set (none). What the image's processes would get under
//! Docker's default profile depends only on the uid (the image cannot ask for
//! capabilities): uid 0 gets Docker's 14 default capabilities effective, any
//! other uid none (Docker sets no ambient capabilities). That set is derived,
//! not observed, and both outputs say so. A second probe with the default
//! set would only re-measure this rule, at the cost of running with
//! capabilities.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use vigie_engine::Engine;
use vigie_engine::probe::{PROFILE_SUMMARY, ProbeRequest};
use vigie_rules::Finding;
use vigie_rules::image::RuntimeIds;
pub use vigie_rules::image::report::{Capabilities, CapabilitySet, ProbeInfo, RuntimeReport};

/// How the probe is run (from the command line).
#[derive(Debug, Clone)]
pub struct Options {
    /// `--vigie-binary` / `VIGIE_STATIC_BIN`.
    pub binary: Option<PathBuf>,
    pub timeout: Duration,
    /// Labels besides `io.vigie.probe=1`.
    pub labels: Vec<(String, String)>,
    pub engine: Option<String>,
}

/// The part of `vigie inside --format json` the runtime check reads.
#[derive(Debug, Deserialize)]
struct InsideDocument {
    kind: String,
    context: InsideContext,
}

#[derive(Debug, Deserialize)]
struct InsideContext {
    environment: InsideEnvironment,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct InsideEnvironment {
    uid: Option<[u32; 4]>,
    gid: Option<[u32; 4]>,
    #[serde(default)]
    groups: Vec<u32>,
    uid_map: Option<String>,
    #[serde(default)]
    user_namespace: bool,
    cap_eff: Option<String>,
    cap_bnd: Option<String>,
    #[serde(default)]
    capabilities: Vec<String>,
    no_new_privs: Option<u8>,
    seccomp: Option<u8>,
}

/// The ELF interpreter (PT_INTERP) a binary asks for; None for a static
/// binary (a static-pie has PT_DYNAMIC but no PT_INTERP, and runs anywhere:
/// that is what counts here).
pub fn elf_interpreter(path: &Path) -> anyhow::Result<Option<String>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    vigie_image::elf::interpreter(&file).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

const HOW_TO_GET_ONE: &str =
    "build one with scripts/build-static and pass --vigie-binary PATH (or set VIGIE_STATIC_BIN)";

/// The static vigie to mount: `--vigie-binary`/`VIGIE_STATIC_BIN`, else this one when it is static.
pub fn probe_binary(requested: Option<&Path>) -> anyhow::Result<PathBuf> {
    let (path, given) = match requested {
        Some(p) => (p.to_path_buf(), true),
        None => (
            std::env::current_exe().context("cannot find the running vigie binary")?,
            false,
        ),
    };
    if path.to_string_lossy().ends_with(" (deleted)") {
        bail!("the running vigie binary was deleted: {HOW_TO_GET_ONE}");
    }
    let path = path
        .canonicalize()
        .with_context(|| format!("vigie binary {}", path.display()))?;
    match elf_interpreter(&path)? {
        None => {}
        Some(interp) if given => bail!(
            "{} is not a static binary (it needs {interp}, which the image may not have): {HOW_TO_GET_ONE}",
            path.display()
        ),
        Some(_) => {
            bail!("--runtime runs vigie inside the image, and this vigie is dynamically linked: {HOW_TO_GET_ONE}")
        }
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path)
        .with_context(|| format!("vigie binary {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o001 == 0 {
        bail!(
            "{} is not executable by every user (mode {:04o}) but the image's user must run it: chmod 755 it",
            path.display(),
            mode & 0o7777
        );
    }
    Ok(path)
}

/// A bind mount names a path on the engine's machine: only a local engine sees ours.
fn require_local(endpoint: &str) -> anyhow::Result<()> {
    let remote = match endpoint
        .strip_prefix("tcp://")
        .or_else(|| endpoint.strip_prefix("http://"))
    {
        None => false,
        Some(rest) => {
            let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
            !matches!(host, "localhost" | "127.0.0.1" | "[::1]")
        }
    };
    if remote {
        bail!(
            "--runtime bind-mounts the vigie binary into the probe container, which needs a local engine; {endpoint} is remote"
        );
    }
    Ok(())
}

fn parse_inside(stdout: &[u8]) -> Result<(InsideEnvironment, Vec<String>), String> {
    let doc: InsideDocument = serde_json::from_slice(stdout).map_err(|e| e.to_string())?;
    if doc.kind != "inside" {
        return Err(format!("unexpected report kind '{}'", doc.kind));
    }
    Ok((doc.context.environment, doc.context.warnings))
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output")
        .trim()
        .to_string()
}

/// Run the probe for `image` (already opened, with its view) and refine `findings`.
pub fn run(
    image: &vigie_image::Image,
    view: &vigie_image::FileSystemView,
    options: &Options,
    findings: &mut Vec<Finding>,
) -> anyhow::Result<RuntimeReport> {
    if image.kind != vigie_image::SourceKind::Engine {
        bail!(
            "--runtime starts the image on the engine, and {} is a {} source: load it first (docker load -i FILE)",
            image.reference,
            image.kind.as_str()
        );
    }
    let binary = probe_binary(options.binary.as_deref())?;
    // The id pins the very image whose configuration and files were just checked.
    let reference = image
        .id
        .clone()
        .unwrap_or_else(|| image.reference.trim_start_matches("docker:").to_string());
    let request = ProbeRequest {
        image: reference,
        binary: binary.clone(),
        args: vec!["inside".into(), "--format".into(), "json".into()],
        labels: options.labels.clone(),
        timeout: options.timeout,
    };
    let runtime = crate::cli::runtime()?;
    let output = runtime
        .block_on(async {
            let engine = Engine::connect(options.engine.as_deref()).await?;
            require_local(&engine.endpoint)?;
            tokio::select! {
                result = engine.run_probe(&request) => Ok(result?),
                // The probe future is dropped here: its guard removes the container.
                _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted; the probe container was removed")),
            }
        })
        .with_context(|| format!("runtime probe of {}", image.name()))?;
    let (environment, warnings) = parse_inside(&output.stdout).map_err(|reason| {
        anyhow::anyhow!(
            "runtime probe of {}: no report from vigie inside (exit code {}, {reason}): {}",
            image.name(),
            output
                .exit_code
                .map_or_else(|| "unknown".to_string(), |c| c.to_string()),
            first_line(&output.stderr)
        )
    })?;
    let (Some(uid), Some(gid)) = (environment.uid, environment.gid) else {
        bail!(
            "runtime probe of {}: vigie inside could not read the process's uid and gid",
            image.name()
        );
    };
    let observed = RuntimeIds {
        uid,
        gid,
        groups: environment.groups.clone(),
    };
    let user = vigie_rules::image::check_image_runtime(&image.subject(), view, &observed, findings);
    let default_caps: Vec<String> = if user.uid == 0 {
        vigie_caps::bits(vigie_caps::DOCKER_DEFAULT)
            .map(vigie_caps::bit_name)
            .collect()
    } else {
        Vec::new()
    };
    let capabilities = Capabilities {
        hardened: CapabilitySet {
            basis: "observed",
            effective: environment.capabilities.clone(),
            cap_eff: environment.cap_eff.clone(),
            cap_bnd: environment.cap_bnd.clone(),
            explanation: "the probe ran with --cap-drop ALL".to_string(),
        },
        docker_default: CapabilitySet {
            basis: "derived",
            explanation: if user.uid == 0 {
                "uid 0 gets Docker's default set under `docker run` without --cap-drop".to_string()
            } else {
                format!(
                    "uid {} is not 0 and Docker sets no ambient capabilities; setuid and file-capability binaries \
aside, see VGI-IMG-005/006",
                    user.uid
                )
            },
            effective: default_caps,
            cap_eff: None,
            cap_bnd: None,
        },
    };
    Ok(RuntimeReport {
        profile: PROFILE_SUMMARY,
        probe: ProbeInfo {
            binary: binary.display().to_string(),
            container: output
                .container_id
                .get(..12)
                .unwrap_or(&output.container_id)
                .to_string(),
            exit_code: output.exit_code,
            duration_ms: output.elapsed.as_millis() as u64,
        },
        user,
        user_namespace: environment.user_namespace,
        uid_map: environment.uid_map,
        capabilities,
        no_new_privs: environment.no_new_privs,
        seccomp: environment.seccomp,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elf_interpreter_of_real_and_synthetic_binaries() {
        // The test binary itself is dynamically linked (the host build).
        let me = std::env::current_exe().unwrap();
        let interp = elf_interpreter(&me).unwrap();
        assert!(interp.is_some_and(|i| i.contains("ld-linux")), "{me:?}");
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("script");
        std::fs::write(&text, "#!/bin/sh\n").unwrap();
        assert!(
            elf_interpreter(&text)
                .unwrap_err()
                .to_string()
                .contains("not a 64-bit ELF executable")
        );
        // A minimal 64-bit ELF header with one PT_LOAD entry and no PT_INTERP: static.
        let mut elf = vec![0u8; 64 + 56];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[6] = 1;
        elf[32..40].copy_from_slice(&64u64.to_le_bytes());
        elf[54..56].copy_from_slice(&56u16.to_le_bytes());
        elf[56..58].copy_from_slice(&1u16.to_le_bytes());
        elf[64..68].copy_from_slice(&1u32.to_le_bytes());
        let path = dir.path().join("static");
        std::fs::write(&path, &elf).unwrap();
        assert_eq!(elf_interpreter(&path).unwrap(), None);
        // The same with PT_INTERP pointing at a name.
        elf[64..68].copy_from_slice(&3u32.to_le_bytes());
        elf[72..80].copy_from_slice(&(120u64).to_le_bytes());
        elf[96..104].copy_from_slice(&(5u64).to_le_bytes());
        elf.extend_from_slice(b"/ld\0\0");
        std::fs::write(&path, &elf).unwrap();
        assert_eq!(elf_interpreter(&path).unwrap().as_deref(), Some("/ld"));
        // Truncated program headers are an error, not a panic.
        std::fs::write(&path, &elf[..70]).unwrap();
        assert!(elf_interpreter(&path).is_err());
    }

    #[test]
    fn remote_engines_are_refused() {
        assert!(require_local("unix:///var/run/docker.sock").is_ok());
        assert!(require_local("/run/docker.sock").is_ok());
        assert!(require_local("tcp://127.0.0.1:2375").is_ok());
        let err = require_local("tcp://build-host:2376").unwrap_err().to_string();
        assert!(err.contains("local engine") && err.contains("build-host"), "{err}");
    }

    #[test]
    fn inside_report_parsed() {
        let json = br#"{"schema_version":1,"kind":"inside","context":{"environment":{"uid":[1000,1000,1000,1000],
            "gid":[1000,1000,1000,1000],"groups":[1000],"user_namespace":false,"capabilities":[],
            "cap_eff":"0000000000000000"},"warnings":[]},"findings":[]}"#;
        let (e, w) = parse_inside(json).unwrap();
        assert_eq!(e.uid, Some([1000; 4]));
        assert!(w.is_empty());
        assert!(parse_inside(b"exec format error").is_err());
        assert!(parse_inside(br#"{"kind":"audit","context":{"environment":{}}}"#).is_err());
    }
}
