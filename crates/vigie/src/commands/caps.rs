//! `vigie caps`: decode capability sets from a mask, a process, a container
//! or a pasted `/proc/PID/status` (the lab's §1.4, done instantly).

use anyhow::{Context, bail};
use std::io::Read;
use std::path::PathBuf;

use vigie_caps::explain::{no_new_privs_meaning, seccomp_meaning, set_meaning};
use vigie_caps::report::{CapsReport, ContainerCaps, Explained, NamedSet, Verdict};
use vigie_caps::{DOCKER_DEFAULT, ProcStatus};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Decode Linux capability sets (a mask, a process, a container or a pasted /proc/PID/status)",
    long_about = "Decode Linux capability sets into names, compare them with Docker's default set \
(0xa80425fb), flag the dangerous capabilities with why, and explain NoNewPrivs and Seccomp.\n\n\
Inputs (one of): a hex MASK (`vigie caps a82425fb`, `0x…` accepted, up to 64 bits); --pid N; \
--container NAME|ID; --status-file FILE|- (a pasted /proc/PID/status).",
    after_help = "Examples:\n  vigie caps 00000000a82425fb\n  vigie caps --pid 1\n  \
vigie caps --container web\n  docker exec web cat /proc/1/status | vigie caps --status-file -\n  \
vigie caps --decode a82425fb      # exactly what `capsh --decode=a82425fb` prints"
)]
pub struct Args {
    /// Capability mask in hex (as in /proc/PID/status), e.g. a82425fb or 0x00000000a82425fb
    #[arg(value_name = "MASK", conflicts_with_all = ["pid", "container", "status_file", "decode"])]
    pub mask: Option<String>,
    /// Read /proc/PID/status of a local process
    #[arg(long, value_name = "PID", conflicts_with_all = ["container", "status_file", "decode"])]
    pub pid: Option<u32>,
    /// A container's init process (via the engine) and its configured CapAdd/CapDrop
    #[arg(long, value_name = "NAME|ID", conflicts_with_all = ["status_file", "decode"])]
    pub container: Option<String>,
    /// A saved or pasted /proc/PID/status (`-` for stdin)
    #[arg(long, value_name = "FILE|-", conflicts_with = "decode")]
    pub status_file: Option<PathBuf>,
    /// Print exactly what `capsh --decode=MASK` prints, nothing else
    #[arg(long, value_name = "MASK")]
    pub decode: Option<String>,
    /// Kernel's highest capability number (/proc/sys/kernel/cap_last_cap) for the full-set verdict;
    /// default: this machine's kernel for masks, processes and containers
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=63))]
    pub last_cap: Option<u8>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// This machine's `cap_last_cap`, when readable.
pub fn local_last_cap() -> Option<u8> {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

fn decode_set(field: &str, mask: u64, last_cap: Option<u8>) -> NamedSet {
    NamedSet {
        field: field.to_string(),
        meaning: set_meaning(field),
        set: vigie_caps::decode(mask, last_cap),
    }
}

fn verdict(mask: u64, last_cap: Option<u8>, field: &str) -> Verdict {
    let full = vigie_caps::is_full_set(mask, last_cap);
    let basis = match last_cap {
        Some(n) => format!("this kernel's {} capabilities (cap_last_cap {n})", u32::from(n) + 1),
        None => "a contiguous set of at least 38 capabilities (kernel unknown)".to_string(),
    };
    let text = if full {
        format!("{field} is the full capability set ({basis}): privileged, root here is root on the host kernel")
    } else if mask & !DOCKER_DEFAULT != 0 {
        format!("{field} is not the full set, but exceeds Docker's default set")
    } else {
        format!("{field} is within Docker's default set")
    };
    Verdict { full_set: full, text }
}

fn report_from_status(
    source: String,
    status: &ProcStatus,
    last_cap: Option<u8>,
    last_cap_source: String,
) -> CapsReport {
    let sets: Vec<NamedSet> = status
        .cap_sets()
        .iter()
        .filter_map(|(field, value)| value.map(|m| decode_set(field, m, last_cap)))
        .collect();
    let (vfield, vmask) = status
        .cap_eff
        .map(|m| ("CapEff", m))
        .or_else(|| sets.first().map(|s| ("mask", s.set.value)))
        .unwrap_or(("CapEff", 0));
    CapsReport {
        source,
        kernel_last_cap: last_cap,
        kernel_last_cap_source: last_cap_source,
        docker_default: format!("{DOCKER_DEFAULT:016x}"),
        privileged_verdict: verdict(vmask, last_cap, vfield),
        sets,
        no_new_privs: status.no_new_privs.map(|v| Explained {
            value: v.to_string(),
            meaning: no_new_privs_meaning(v),
        }),
        seccomp: status.seccomp.map(|m| Explained {
            value: m.to_string(),
            meaning: seccomp_meaning(m, status.seccomp_filters),
        }),
        uid: status.uid,
        gid: status.gid,
        groups: status.groups.clone(),
        container: None,
        notes: Vec::new(),
    }
}

fn kernel(args: &Args, local: bool) -> (Option<u8>, String) {
    if let Some(n) = args.last_cap {
        return (Some(n), "--last-cap".to_string());
    }
    if local && let Some(n) = local_last_cap() {
        return (Some(n), "/proc/sys/kernel/cap_last_cap".to_string());
    }
    (None, "unknown kernel: full set judged by shape".to_string())
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if let Some(text) = &args.decode {
        let mask = vigie_caps::parse_mask(text)?;
        crate::output::emit(&format!("{}\n", vigie_caps::capsh_decode(mask)), None)?;
        return Ok(Outcome::Clean);
    }
    let report = if let Some(text) = &args.mask {
        let mask = vigie_caps::parse_mask(text)?;
        let (last_cap, last_cap_source) = kernel(&args, true);
        CapsReport {
            source: format!("mask {mask:016x}"),
            kernel_last_cap: last_cap,
            kernel_last_cap_source: last_cap_source,
            docker_default: format!("{DOCKER_DEFAULT:016x}"),
            privileged_verdict: verdict(mask, last_cap, "mask"),
            sets: vec![decode_set("mask", mask, last_cap)],
            no_new_privs: None,
            seccomp: None,
            uid: None,
            gid: None,
            groups: None,
            container: None,
            notes: Vec::new(),
        }
    } else if let Some(pid) = args.pid {
        let path = format!("/proc/{pid}/status");
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!("no such process: pid {pid} ({path} does not exist)"),
            _ => anyhow::anyhow!("cannot read {path}: {e}"),
        })?;
        let status = vigie_caps::parse_status(&text).with_context(|| path.clone())?;
        let (last_cap, source) = kernel(&args, true);
        report_from_status(format!("pid {pid} ({path})"), &status, last_cap, source)
    } else if let Some(file) = &args.status_file {
        let (name, text) = if file.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the status from stdin")?;
            ("stdin".to_string(), text)
        } else {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not a text file", file.display()))?;
            (file.display().to_string(), text)
        };
        let status = vigie_caps::parse_status(&text).with_context(|| name.clone())?;
        let (last_cap, source) = kernel(&args, false);
        report_from_status(format!("status file {name}"), &status, last_cap, source)
    } else if let Some(name) = &args.container {
        container_report(name, &args, global)?
    } else {
        bail!("nothing to decode: give a MASK, --pid, --container, --status-file or --decode (see vigie caps --help)");
    };
    let text = match args.format {
        Format::Json => vigie_report::caps::json(&report)?,
        Format::Table => vigie_report::caps::table(&report),
    };
    crate::output::emit(&text, None)?;
    Ok(Outcome::Clean)
}

fn container_report(name: &str, args: &Args, global: &GlobalArgs) -> anyhow::Result<CapsReport> {
    let runtime = crate::cli::runtime()?;
    let inspect = runtime.block_on(async {
        let engine = vigie_engine::Engine::connect(global.engine.as_deref()).await?;
        engine.inspect_container(name).await
    })?;
    let host = inspect.host_config.clone().unwrap_or_default();
    let state = inspect.state.clone().unwrap_or_default();
    let privileged = host.privileged.unwrap_or(false);
    let cap_add = host.cap_add.clone().unwrap_or_default();
    let cap_drop = host.cap_drop.clone().unwrap_or_default();
    let (last_cap, last_cap_source) = kernel(args, true);
    let (configured, unknown) = vigie_caps::docker_effective(
        privileged,
        &cap_add,
        &cap_drop,
        last_cap.unwrap_or(vigie_caps::LAST_KNOWN_CAP),
    );
    let running = state.running.unwrap_or(false);
    let pid = state.pid.filter(|p| *p > 0);
    let container_name = inspect
        .name
        .clone()
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();
    let status_text = if running {
        pid.and_then(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
    } else {
        None
    };
    let mut report = match &status_text {
        Some(text) => {
            let status = vigie_caps::parse_status(text).with_context(|| format!("status of container {name}"))?;
            report_from_status(
                format!("container {container_name} (init pid {})", pid.unwrap_or_default()),
                &status,
                last_cap,
                last_cap_source,
            )
        }
        None => CapsReport {
            source: format!("container {container_name} (configuration)"),
            kernel_last_cap: last_cap,
            kernel_last_cap_source: last_cap_source,
            docker_default: format!("{DOCKER_DEFAULT:016x}"),
            privileged_verdict: verdict(configured, last_cap, "configured set"),
            sets: vec![decode_set("configured", configured, last_cap)],
            no_new_privs: None,
            seccomp: None,
            uid: None,
            gid: None,
            groups: None,
            container: None,
            notes: Vec::new(),
        },
    };
    if status_text.is_none() {
        report.notes.push(if running {
            "the container's init process is not visible from here (remote engine or other PID namespace): \
showing the set Docker computes from its configuration"
                .to_string()
        } else {
            format!(
                "the container is {}: showing the set Docker computes from its configuration",
                state
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "not running".to_string())
            )
        });
    } else if let Some(eff) = report.sets.iter().find(|s| s.field == "CapEff")
        && eff.set.value != configured
        && inspect
            .config
            .as_ref()
            .and_then(|c| c.user.as_deref())
            .unwrap_or("")
            .is_empty()
    {
        report.notes.push(format!(
            "the init process's CapEff ({:016x}) differs from the configured set ({configured:016x})",
            eff.set.value
        ));
    }
    if host.privileged == Some(true) {
        report
            .notes
            .push("--privileged: every capability, all devices, no seccomp or AppArmor".to_string());
    }
    report.container = Some(ContainerCaps {
        name: container_name,
        id: inspect.id.clone().unwrap_or_default(),
        state: state.status.map(|s| s.to_string()).unwrap_or_default(),
        pid,
        privileged,
        cap_add,
        cap_drop,
        configured_effective: format!("{configured:016x}"),
        unknown_capabilities: unknown,
    });
    Ok(report)
}
