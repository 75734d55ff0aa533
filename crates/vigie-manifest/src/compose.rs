//! Compose files, read as `docker compose` reads them: several `-f` files
//! merged in order, `${VAR}` / `${VAR:-default}` / `${VAR:?error}`
//! interpolation from the environment and the project's `.env`, `extends`
//! (same file or another), `include`, profiles. Each active service becomes
//! the `docker inspect`-shaped record the container rules read, with the key
//! (and file) of every field it came from.
//!
//! Written here rather than taken from `docker-compose-types`: that crate
//! deserialises into typed structs, which loses the line and column every
//! finding must carry and refuses whole files over one unexpected value.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use vigie_snapshot::inspect::{
    RawConfig, RawDevice, RawHealthConfig, RawHostConfig, RawLogConfig, RawMountPoint, RawPortBinding,
    RawRestartPolicy, RawUlimit, StringOrList,
};

use crate::yaml::{self, Node, Pos, Scalar, Value};
use crate::{Declared, DeclaredContainer, FieldMap, FileError, InputKind, Loc, Notice};

/// Extends chains and includes deeper than this are refused (and cycles).
const MAX_NESTING: usize = 32;

/// The files `docker compose` looks for when given none, in its order.
pub const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];
/// Override files merged after the default file, when present.
pub const OVERRIDE_FILES: &[&str] = &[
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models",
];

const SERVICE_KEYS: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "driver_opts",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
    "mem_swap_limit",
    "gpus",
];

/// What to read and with which environment.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `(name as given, text)`; the first file's directory is the project directory.
    pub files: Vec<(String, String)>,
    pub project_dir: Option<PathBuf>,
    /// `--env-file`; default: `.env` in the project directory, when present.
    pub env_files: Vec<PathBuf>,
    /// Active profiles (`--profile`, `COMPOSE_PROFILES`).
    pub profiles: Vec<String>,
    /// `--project-name` / `COMPOSE_PROJECT_NAME`.
    pub project_name: Option<String>,
    /// The process environment (wins over `.env`, as in `docker compose`).
    pub environ: HashMap<String, String>,
}

/// The project as vigie understood it, in a form a test can compare with
/// `docker compose config`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServiceModel {
    pub image: Option<String>,
    pub user: Option<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub network_mode: Option<String>,
    pub networks: Vec<String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub read_only: bool,
    pub security_opt: Vec<String>,
    /// `type source target ro|rw`, sources absolute.
    pub volumes: Vec<String>,
    /// `host_ip:published->target/protocol`.
    pub ports: Vec<String>,
    pub environment: Vec<String>,
    pub healthcheck: bool,
    pub restart: Option<String>,
    pub mem_limit: Option<i64>,
    pub pids_limit: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub name: String,
    /// Every file read, in source-index order (positions' `src`).
    pub files: Vec<String>,
    pub declared: Vec<Declared>,
    pub services: BTreeMap<String, ServiceModel>,
    pub notices: Vec<Notice>,
    /// Services left out because none of their profiles is active.
    pub inactive: Vec<String>,
}

struct Loader {
    files: Vec<String>,
    env: HashMap<String, String>,
    notices: Vec<Notice>,
}

fn err(files: &[String], pos: Pos, message: impl Into<String>) -> FileError {
    let file = files.get(pos.src as usize).cloned().unwrap_or_default();
    FileError::new(&file, pos, message)
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > yaml::MAX_INPUT_BYTES as u64 {
        return Err(format!(
            "{} bytes, more than the {}-byte limit",
            meta.len(),
            yaml::MAX_INPUT_BYTES
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// `.env` syntax as Compose reads it: `KEY=VALUE`, `export KEY=VALUE`,
/// comments, single quotes literal, double quotes with escapes, unquoted
/// values cut at ` #`.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    parse_env_entries(text).into_iter().map(|(k, v, _)| (k, v)).collect()
}

/// [`parse_env_file`] with, for each value, whether it is literal (single-quoted:
/// not interpolated; the others are, as Compose interpolates `.env` values).
pub fn parse_env_entries(text: &str) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            let key = line.trim();
            if !key.is_empty() {
                out.push((key.to_string(), String::new(), true));
            }
            continue;
        };
        let key = key.trim().to_string();
        let v = value.trim();
        let (value, literal) = if let Some(inner) = v.strip_prefix('\'').and_then(|r| r.rfind('\'').map(|i| &r[..i])) {
            (inner.to_string(), true)
        } else if let Some(rest) = v.strip_prefix('"') {
            let end = rest.rfind('"').unwrap_or(rest.len());
            (
                rest[..end]
                    .replace("\\n", "\n")
                    .replace("\\\"", "\"")
                    .replace("\\\\", "\\"),
                false,
            )
        } else {
            (
                match v.find(" #") {
                    Some(i) => v[..i].trim_end().to_string(),
                    None => v.to_string(),
                },
                false,
            )
        };
        out.push((key, value, literal));
    }
    out
}

/// `${VAR}`, `$VAR`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`,
/// `${VAR:+a}`, `${VAR+a}`, `$$`; defaults interpolated in turn.
pub fn interpolate(text: &str, env: &HashMap<String, String>, unset: &mut Vec<String>) -> Result<String, String> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('{') => {
                // Find the matching brace (defaults may nest ${…}).
                let mut depth = 0;
                let mut j = i + 1;
                let mut end = None;
                while j < chars.len() {
                    match chars[j] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let Some(end) = end else {
                    return Err(format!("invalid interpolation format for {text:?}: unclosed ${{"));
                };
                let inner: String = chars[i + 2..end].iter().collect();
                let name_len = inner
                    .char_indices()
                    .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '_'))
                    .map_or(inner.len(), |(k, _)| k);
                let (name, rest) = inner.split_at(name_len);
                if name.is_empty() {
                    return Err(format!("invalid interpolation format for {text:?}"));
                }
                let value = env.get(name);
                let set_nonempty = value.is_some_and(|v| !v.is_empty());
                let resolved = if rest.is_empty() {
                    if value.is_none() {
                        unset.push(name.to_string());
                    }
                    value.cloned().unwrap_or_default()
                } else {
                    let (op, arg) = if let Some(a) = rest.strip_prefix(":-") {
                        (":-", a)
                    } else if let Some(a) = rest.strip_prefix(":?") {
                        (":?", a)
                    } else if let Some(a) = rest.strip_prefix(":+") {
                        (":+", a)
                    } else if let Some(a) = rest.strip_prefix('-') {
                        ("-", a)
                    } else if let Some(a) = rest.strip_prefix('?') {
                        ("?", a)
                    } else if let Some(a) = rest.strip_prefix('+') {
                        ("+", a)
                    } else {
                        return Err(format!("invalid interpolation format for {text:?}"));
                    };
                    match op {
                        ":-" if !set_nonempty => interpolate(arg, env, unset)?,
                        "-" if value.is_none() => interpolate(arg, env, unset)?,
                        ":?" if !set_nonempty => {
                            return Err(format!("required variable {name} is missing a value: {arg}"));
                        }
                        "?" if value.is_none() => {
                            return Err(format!("required variable {name} is missing a value: {arg}"));
                        }
                        ":+" => {
                            if set_nonempty {
                                interpolate(arg, env, unset)?
                            } else {
                                String::new()
                            }
                        }
                        "+" => {
                            if value.is_some() {
                                interpolate(arg, env, unset)?
                            } else {
                                String::new()
                            }
                        }
                        _ => value.cloned().unwrap_or_default(),
                    }
                };
                out.push_str(&resolved);
                i = end + 1;
            }
            Some(ch) if ch.is_ascii_alphabetic() || *ch == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                match env.get(&name) {
                    Some(v) => out.push_str(v),
                    None => unset.push(name),
                }
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Ok(out)
}

impl Loader {
    fn interpolate_node(&mut self, node: &mut Node) -> Result<(), FileError> {
        match &mut node.value {
            Value::Scalar(s) => {
                if s.text.contains('$') {
                    let mut unset = Vec::new();
                    s.text = interpolate(&s.text, &self.env, &mut unset).map_err(|m| err(&self.files, node.pos, m))?;
                    for name in unset {
                        self.notices.push(Notice {
                            file: self.files.get(node.pos.src as usize).cloned().unwrap_or_default(),
                            line: node.pos.line,
                            message: format!("the {name} variable is not set: defaulting to a blank string"),
                            incomplete: false,
                        });
                    }
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.interpolate_node(item)?;
                }
            }
            Value::Map(entries) => {
                for (_, v) in entries {
                    self.interpolate_node(v)?;
                }
            }
        }
        Ok(())
    }

    /// Read, parse and interpolate one file as source `src`.
    fn load(&mut self, name: &str, text: &str) -> Result<Node, FileError> {
        let src = self.files.len() as u32;
        self.files.push(name.to_string());
        let docs = yaml::load_all_from(text, src).map_err(|e| FileError::yaml(name, e))?;
        let mut doc = match docs.len() {
            0 => {
                return Err(FileError::new(
                    name,
                    Pos {
                        line: 1,
                        column: 1,
                        src,
                    },
                    "empty Compose file",
                ));
            }
            1 => docs
                .into_iter()
                .next()
                .unwrap_or_else(|| Node::scalar("", Pos::default())),
            _ => {
                return Err(FileError::new(
                    name,
                    docs[1].pos,
                    "a Compose file has one YAML document",
                ));
            }
        };
        if doc.as_map().is_none() {
            return Err(FileError::new(
                name,
                doc.pos,
                format!("a Compose file is a mapping, not {}", doc.kind_name()),
            ));
        }
        self.interpolate_node(&mut doc)?;
        normalise_lists(&mut doc);
        Ok(doc)
    }
}

/// `environment`, `labels`, `sysctls`, `extra_hosts` written as `KEY=VALUE`
/// lists become mappings, so files merge key by key as Compose merges them.
fn normalise_lists(doc: &mut Node) {
    let Some(services) = map_get_mut(doc, "services") else {
        return;
    };
    let Value::Map(entries) = &mut services.value else {
        return;
    };
    for (_, svc) in entries {
        let Value::Map(keys) = &mut svc.value else { continue };
        for (k, v) in keys {
            let is_kv = matches!(k.as_str(), Some("environment" | "labels" | "sysctls" | "annotations"));
            if !is_kv {
                continue;
            }
            if let Value::Seq(items) = &v.value {
                let mut map = Vec::new();
                for item in items {
                    let Some(text) = item.as_str() else { continue };
                    let (key, value) = match text.split_once('=') {
                        Some((a, b)) => (a.to_string(), Some(b.to_string())),
                        None => (text.to_string(), None),
                    };
                    let value_node = match value {
                        Some(b) => Node::scalar(b, item.pos),
                        None => Node {
                            value: Value::Scalar(Scalar {
                                text: String::new(),
                                plain: true,
                                tag: None,
                            }),
                            pos: item.pos,
                        },
                    };
                    map.push((Node::scalar(key, item.pos), value_node));
                }
                v.value = Value::Map(map);
            }
        }
    }
}

fn map_get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The key a list item merges on: a volume's or device's target path.
fn merge_key(key: &str, item: &Node) -> Option<String> {
    match key {
        "volumes" | "devices" => match item.as_str() {
            Some(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                Some(if parts.len() >= 2 { parts[1] } else { parts[0] }.to_string())
            }
            None => item.get("target").and_then(Node::as_str).map(str::to_string),
        },
        "secrets" | "configs" => item
            .as_str()
            .map(str::to_string)
            .or_else(|| item.get("source").and_then(Node::as_str).map(str::to_string)),
        _ => item.as_str().map(str::to_string),
    }
}

/// Compose's merge: mappings key by key, scalars replaced, `command`,
/// `entrypoint` and health-check `test` replaced, volumes/devices by target,
/// other lists appended without repeats.
pub fn merge(base: Node, over: Node, key: &str) -> Node {
    match (base.value, over.value) {
        (Value::Map(mut b), Value::Map(o)) => {
            for (ok, ov) in o {
                let name = ok.as_str().map(str::to_string);
                match b.iter().position(|(bk, _)| bk.as_str().map(str::to_string) == name) {
                    Some(i) => {
                        let (bk, bv) = b.remove(i);
                        let merged = merge(bv, ov, name.as_deref().unwrap_or(""));
                        let _ = bk;
                        b.insert(i, (ok, merged));
                    }
                    None => b.push((ok, ov)),
                }
            }
            Node {
                value: Value::Map(b),
                pos: over.pos,
            }
        }
        (Value::Seq(mut b), Value::Seq(o)) if !matches!(key, "command" | "entrypoint" | "test") => {
            for item in o {
                let k = merge_key(key, &item);
                match k.and_then(|k| b.iter().position(|x| merge_key(key, x).as_deref() == Some(k.as_str()))) {
                    Some(i) => b[i] = item,
                    None => b.push(item),
                }
            }
            Node {
                value: Value::Seq(b),
                pos: over.pos,
            }
        }
        (_, o) => Node {
            value: o,
            pos: over.pos,
        },
    }
}

fn project_name(opts: &Options, top: &Node, dir: &Path) -> String {
    let raw = opts
        .project_name
        .clone()
        .or_else(|| opts.environ.get("COMPOSE_PROJECT_NAME").cloned())
        .or_else(|| top.get("name").and_then(Node::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            std::fs::canonicalize(dir)
                .unwrap_or_else(|_| dir.to_path_buf())
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "default".to_string())
        });
    // Compose keeps lower-case letters, digits, dashes and underscores.
    raw.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect()
}

/// Read a project. Files that cannot be read or parsed, a required variable
/// that is missing, a broken `extends`: errors naming file, line and key.
pub fn load(opts: &Options) -> Result<Project, FileError> {
    let Some((first_name, _)) = opts.files.first() else {
        return Err(FileError::new("compose", Pos::default(), "no Compose file given"));
    };
    let dir = opts.project_dir.clone().unwrap_or_else(|| {
        Path::new(first_name)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    });
    // Environment: .env (or --env-file) first, the process environment over it.
    let mut env: HashMap<String, String> = HashMap::new();
    let env_files: Vec<PathBuf> = if opts.env_files.is_empty() {
        let d = dir.join(".env");
        if d.is_file() { vec![d] } else { Vec::new() }
    } else {
        opts.env_files.clone()
    };
    for f in &env_files {
        let text = read_limited(f).map_err(|e| FileError::new(&f.display().to_string(), Pos::default(), e))?;
        for (k, v, literal) in parse_env_entries(&text) {
            // Values may refer to the process environment and to earlier entries.
            let value = if literal {
                v
            } else {
                let mut scope = env.clone();
                scope.extend(opts.environ.iter().map(|(a, b)| (a.clone(), b.clone())));
                let mut unset = Vec::new();
                interpolate(&v, &scope, &mut unset)
                    .map_err(|m| FileError::new(&f.display().to_string(), Pos::default(), format!("{k}: {m}")))?
            };
            env.insert(k, value);
        }
    }
    env.extend(opts.environ.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut loader = Loader {
        files: Vec::new(),
        env,
        notices: Vec::new(),
    };
    let mut merged: Option<Node> = None;
    for (name, text) in &opts.files {
        let doc = loader.load(name, text)?;
        merged = Some(match merged {
            None => doc,
            Some(base) => merge(base, doc, ""),
        });
    }
    let Some(mut top) = merged else {
        return Err(FileError::new(first_name, Pos::default(), "no Compose file given"));
    };
    // include: other projects' services join this one.
    if let Some(includes) = top.get("include").cloned() {
        for item in includes.as_seq().unwrap_or_default() {
            let paths: Vec<&Node> = match item.as_str() {
                Some(_) => vec![item],
                None => match item.get("path") {
                    Some(p) if p.as_seq().is_some() => p.as_seq().unwrap_or_default().iter().collect(),
                    Some(p) => vec![p],
                    None => Vec::new(),
                },
            };
            for p in paths {
                let Some(rel) = p.as_str() else { continue };
                let base = file_dir(&loader.files, p.pos.src, &dir);
                let path = base.join(rel);
                let text = read_limited(&path).map_err(|e| err(&loader.files, p.pos, format!("include {rel}: {e}")))?;
                let doc = loader.load(&path.display().to_string(), &text)?;
                if let Some(svcs) = doc.get("services").and_then(Node::as_map) {
                    let Some(services) = services_mut(&mut top) else {
                        return Err(err(&loader.files, top.pos, "`services` is not a mapping"));
                    };
                    for (k, v) in svcs {
                        if services.iter().any(|(e, _)| e.as_str() == k.as_str()) {
                            return Err(err(
                                &loader.files,
                                k.pos,
                                format!("service {} is defined twice (include)", k.as_str().unwrap_or("")),
                            ));
                        }
                        services.push((k.clone(), v.clone()));
                    }
                }
            }
        }
    }
    for (k, _) in top.as_map().unwrap_or_default() {
        if let Some(key) = k.as_str()
            && !key.starts_with("x-")
            && !TOP_LEVEL_KEYS.contains(&key)
        {
            loader.notices.push(Notice {
                file: loader.files.get(k.pos.src as usize).cloned().unwrap_or_default(),
                line: k.pos.line,
                message: format!("unknown top-level key `{key}`: ignored (docker compose refuses the file)"),
                incomplete: false,
            });
        }
    }
    let name = project_name(opts, &top, &dir);
    let mut profiles: Vec<String> = opts.profiles.clone();
    if let Some(p) = opts.environ.get("COMPOSE_PROFILES") {
        profiles.extend(p.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
    }
    let services = top.get("services").cloned();
    let mut project = Project {
        name: name.clone(),
        ..Project::default()
    };
    let Some(services) = services else {
        project.files = loader.files;
        project.notices = loader.notices;
        return Ok(project);
    };
    let Some(entries) = services.as_map() else {
        return Err(err(&loader.files, services.pos, "`services` is not a mapping"));
    };
    for (k, svc) in entries {
        let Some(sname) = k.as_str().map(str::to_string) else {
            continue;
        };
        let resolved = resolve_extends(&mut loader, &services, svc, &dir, 0)?;
        let svc_profiles: Vec<String> = resolved
            .get("profiles")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        if !svc_profiles.is_empty()
            && !svc_profiles
                .iter()
                .any(|p| profiles.contains(p) || profiles.iter().any(|a| a == "*"))
        {
            project.inactive.push(sname);
            continue;
        }
        for (key, _) in resolved.as_map().unwrap_or_default() {
            if let Some(kname) = key.as_str()
                && !kname.starts_with("x-")
                && !SERVICE_KEYS.contains(&kname)
            {
                loader.notices.push(Notice {
                    file: loader.files.get(key.pos.src as usize).cloned().unwrap_or_default(),
                    line: key.pos.line,
                    message: format!(
                        "services.{sname}: unknown key `{kname}`: ignored (docker compose refuses the file)"
                    ),
                    incomplete: false,
                });
            }
        }
        let (declared, model) = service(&loader, &name, &sname, k.pos, &resolved, &dir, &top)?;
        project.declared.push(declared);
        project.services.insert(sname, model);
    }
    project.files = loader.files;
    project.notices = loader.notices;
    Ok(project)
}

/// The `services` mapping of a Compose document, made if absent (None when
/// the document or its `services` is not a mapping).
fn services_mut(top: &mut Node) -> Option<&mut Vec<(Node, Node)>> {
    let Value::Map(entries) = &mut top.value else {
        return None;
    };
    if !entries.iter().any(|(k, _)| k.as_str() == Some("services")) {
        entries.push((
            Node::scalar("services", Pos::default()),
            Node {
                value: Value::Map(Vec::new()),
                pos: Pos::default(),
            },
        ));
    }
    let (_, services) = entries.iter_mut().find(|(k, _)| k.as_str() == Some("services"))?;
    if services.is_null() {
        services.value = Value::Map(Vec::new());
    }
    match &mut services.value {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

fn file_dir(files: &[String], src: u32, default: &Path) -> PathBuf {
    files
        .get(src as usize)
        .and_then(|f| Path::new(f).parent())
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| default.to_path_buf(), Path::to_path_buf)
}

fn without(node: &Node, key: &str) -> Node {
    match &node.value {
        Value::Map(entries) => Node {
            value: Value::Map(
                entries
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some(key))
                    .cloned()
                    .collect(),
            ),
            pos: node.pos,
        },
        _ => node.clone(),
    }
}

fn resolve_extends(
    loader: &mut Loader,
    services: &Node,
    svc: &Node,
    dir: &Path,
    depth: usize,
) -> Result<Node, FileError> {
    let Some(ext) = svc.get_some("extends") else {
        return Ok(svc.clone());
    };
    if depth >= MAX_NESTING {
        return Err(err(
            &loader.files,
            ext.pos,
            format!("extends nested more than {MAX_NESTING} deep (a cycle?)"),
        ));
    }
    let (base_name, file) = match ext.as_str() {
        Some(s) => (s.to_string(), None),
        None => (
            ext.get("service").and_then(Node::as_str).unwrap_or("").to_string(),
            ext.get("file").and_then(Node::as_str).map(str::to_string),
        ),
    };
    let (base_services, base_dir) = match &file {
        None => (services.clone(), dir.to_path_buf()),
        Some(rel) => {
            let path = file_dir(&loader.files, ext.pos.src, dir).join(rel);
            let text =
                read_limited(&path).map_err(|e| err(&loader.files, ext.pos, format!("extends file {rel}: {e}")))?;
            let doc = loader.load(&path.display().to_string(), &text)?;
            let svcs = doc
                .get("services")
                .cloned()
                .unwrap_or_else(|| Node::scalar("", doc.pos));
            (svcs, path.parent().map_or_else(|| dir.to_path_buf(), Path::to_path_buf))
        }
    };
    let Some(base) = base_services.get(&base_name) else {
        return Err(err(
            &loader.files,
            ext.pos,
            format!(
                "extends: no service `{base_name}`{}",
                file.map(|f| format!(" in {f}")).unwrap_or_default()
            ),
        ));
    };
    let base = resolve_extends(loader, &base_services, base, &base_dir, depth + 1)?;
    Ok(merge(without(&base, "extends"), without(svc, "extends"), ""))
}

/// A byte size as Compose writes it (`512m`, `1g`, `1.5GB`, `1024`).
pub fn byte_size(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').map_or(t.as_str(), |s| s);
    let (num, factor) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1024f64),
        'm' => (&t[..t.len() - 1], 1048576f64),
        'g' => (&t[..t.len() - 1], 1073741824f64),
        't' => (&t[..t.len() - 1], 1099511627776f64),
        _ => (t, 1f64),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * factor) as i64)
}

/// A boolean, quoted or not (Compose casts interpolated strings).
fn cbool(node: Option<&Node>) -> Option<bool> {
    let n = node?;
    n.as_bool().or_else(|| match n.as_str()?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    })
}

/// A list of strings, or a lone string as one (Compose accepts both).
fn strs(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) if n.as_seq().is_some() => n.string_list(),
        Some(n) => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// A command as Compose takes it: a list, or a string split like a shell would.
fn command_words(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) if n.as_seq().is_some() => strs(Some(n)),
        Some(n) => n
            .as_str()
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// One published port: `(host_ip, host_port, container_port, protocol)`.
type Port = (String, String, String, String);

/// Short syntax: `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, IPv6 in brackets.
pub fn parse_port(text: &str) -> Option<Port> {
    let (spec, proto) = match text.rsplit_once('/') {
        Some((s, p)) => (s, p.to_string()),
        None => (text, "tcp".to_string()),
    };
    let (ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, rest) = r.split_once(']')?;
        (ip.to_string(), rest.strip_prefix(':')?.to_string())
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        match parts.len() {
            1 | 2 => (String::new(), spec.to_string()),
            3 => (parts[0].to_string(), format!("{}:{}", parts[1], parts[2])),
            _ => {
                // Unbracketed IPv6: the last two fields are the ports.
                let n = parts.len();
                (parts[..n - 2].join(":"), format!("{}:{}", parts[n - 2], parts[n - 1]))
            }
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (h.to_string(), c.to_string()),
        None => (String::new(), rest),
    };
    if container.is_empty() {
        return None;
    }
    Some((ip, host, container, proto))
}

/// `/a/b/` → `/a/b` (Docker drops the trailing slash of mount paths; `/` stays).
fn trim_slash(path: &str) -> String {
    let t = path.trim_end_matches('/');
    if t.is_empty() && path.starts_with('/') {
        "/".to_string()
    } else {
        t.to_string()
    }
}

fn windows_drive(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

fn mount_spec(text: &str, base: &Path, home: Option<&str>) -> (String, String, String, bool, String) {
    // SRC:DST[:MODE] or DST (anonymous volume); a Windows source keeps its drive colon.
    let (drive, rest) = if windows_drive(text) {
        text.split_at(2)
    } else {
        ("", text)
    };
    let mut parts: Vec<String> = rest.splitn(3, ':').map(str::to_string).collect();
    if !drive.is_empty() {
        parts[0] = format!("{drive}{}", parts[0]);
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let (src, dst, mode) = match parts.len() {
        1 => ("", parts[0], ""),
        2 => (parts[0], parts[1], ""),
        _ => (parts[0], parts[1], parts[2]),
    };
    let opts: Vec<&str> = mode.split(',').collect();
    let read_only = opts.contains(&"ro");
    let propagation = opts
        .iter()
        .find(|o| matches!(**o, "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"))
        .map_or(String::new(), |s| s.to_string());
    let dst = trim_slash(dst);
    if src.is_empty() {
        return ("volume".into(), String::new(), dst, read_only, propagation);
    }
    if windows_drive(src) {
        return ("bind".into(), src.to_string(), dst, read_only, propagation);
    }
    let is_path = src.starts_with('/') || src.starts_with('.') || src.starts_with('~');
    if is_path {
        ("bind".into(), host_path(src, base, home), dst, read_only, propagation)
    } else {
        ("volume".into(), src.to_string(), dst, read_only, propagation)
    }
}

/// A bind source made absolute as Compose does (relative to the project directory, `~` the home).
fn host_path(src: &str, base: &Path, home: Option<&str>) -> String {
    if let Some(rest) = src.strip_prefix('~') {
        return trim_slash(&format!("{}{rest}", home.unwrap_or("~")));
    }
    if windows_drive(src) {
        return src.to_string();
    }
    if src.starts_with('/') {
        return trim_slash(src);
    }
    let joined = base.join(src);
    // Normalise `./` and `../` without touching the file system.
    let mut parts: Vec<String> = Vec::new();
    let abs = if joined.is_absolute() {
        joined
    } else {
        std::env::current_dir().map(|d| d.join(&joined)).unwrap_or(joined)
    };
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().to_string()),
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

#[allow(clippy::too_many_lines)]
fn service(
    loader: &Loader,
    project: &str,
    sname: &str,
    key_pos: Pos,
    svc: &Node,
    dir: &Path,
    top: &Node,
) -> Result<(Declared, ServiceModel), FileError> {
    let files = &loader.files;
    let target = format!("{project}/{sname}");
    let sp = |k: &str| format!("services.{sname}.{k}");
    let mut f = FieldMap::default();
    let at = |k: &str| -> Loc {
        let pos = svc.key_pos(k);
        Loc {
            path: sp(k),
            pos,
            file: files.get(pos.src as usize).map(|f| f.as_str().into()),
            written: None,
        }
    };
    let missing = |k: &str, w: &str| -> Loc {
        let pos = if svc.get(k).is_some() { svc.key_pos(k) } else { key_pos };
        Loc {
            path: sp(k),
            pos,
            file: files.get(pos.src as usize).map(|f| f.as_str().into()),
            written: Some(w.to_string()),
        }
    };
    let item_loc = |path: String, pos: Pos| Loc {
        path,
        pos,
        file: files.get(pos.src as usize).map(|f| f.as_str().into()),
        written: None,
    };
    let s = |k: &str| svc.get(k).and_then(Node::as_str).map(str::to_string);
    let base = file_dir(files, svc.pos.src, dir);
    // HOME from the environment, else the user's home directory (as Compose finds it).
    let home = loader
        .env
        .get("HOME")
        .cloned()
        .or_else(|| std::env::home_dir().map(|h| h.display().to_string()));
    let deploy = svc.get_some("deploy");
    let limits = deploy.and_then(|d| d.get("resources")).and_then(|r| r.get("limits"));

    let mut host = RawHostConfig::default();
    let mut config = RawConfig::default();

    let privileged = cbool(svc.get("privileged")) == Some(true);
    host.privileged = Some(privileged);
    f.set("HostConfig.Privileged", at("privileged"));
    host.cap_add = Some(strs(svc.get("cap_add")));
    host.cap_drop = Some(strs(svc.get("cap_drop")));
    f.set("HostConfig.CapAdd", at("cap_add"));
    f.set("HostConfig.CapDrop", missing("cap_drop", "not set"));
    f.set("HostConfig.CapAdd/CapDrop", at("cap_add"));

    // Networks: network_mode, else the listed networks, else the project's default.
    let network_mode = s("network_mode");
    let networks: Vec<String> = match svc.get_some("networks") {
        Some(n) => match n.as_map() {
            Some(m) => m.iter().filter_map(|(k, _)| k.as_str().map(str::to_string)).collect(),
            None => strs(Some(n)),
        },
        None if network_mode.is_none() => vec!["default".to_string()],
        None => Vec::new(),
    };
    let net_names: Vec<String> = networks
        .iter()
        .map(|n| {
            let external_name = top
                .get("networks")
                .and_then(|nw| nw.get(n))
                .and_then(|d| d.get("name"))
                .and_then(Node::as_str)
                .map(str::to_string);
            external_name.unwrap_or_else(|| format!("{project}_{n}"))
        })
        .collect();
    host.network_mode = Some(match &network_mode {
        Some(m) => m.clone(),
        None => net_names
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{project}_default")),
    });
    f.set("HostConfig.NetworkMode", at("network_mode"));
    host.pid_mode = s("pid");
    host.ipc_mode = s("ipc");
    host.uts_mode = s("uts");
    host.userns_mode = s("userns_mode");
    host.cgroupns_mode = s("cgroup");
    f.set("HostConfig.PidMode", at("pid"));
    f.set("HostConfig.IpcMode", at("ipc"));
    f.set("HostConfig.UTSMode", at("uts"));
    f.set("HostConfig.UsernsMode", at("userns_mode"));
    f.set("HostConfig.CgroupnsMode", at("cgroup"));

    // Ports.
    let mut bindings: HashMap<String, Option<Vec<RawPortBinding>>> = HashMap::new();
    let mut port_texts = Vec::new();
    for item in svc.get("ports").and_then(Node::as_seq).unwrap_or_default() {
        let port: Option<Port> = match item.as_str() {
            Some(text) => parse_port(text),
            None => item.get("target").and_then(Node::as_str).map(|t| {
                (
                    item.get("host_ip").and_then(Node::as_str).unwrap_or("").to_string(),
                    item.get("published").and_then(Node::as_str).unwrap_or("").to_string(),
                    t.to_string(),
                    item.get("protocol").and_then(Node::as_str).unwrap_or("tcp").to_string(),
                )
            }),
        };
        let Some((ip, hport, cport, proto)) = port else {
            return Err(err(
                files,
                item.pos,
                format!(
                    "services.{sname}.ports: cannot read {:?}",
                    item.as_str().unwrap_or("(mapping)")
                ),
            ));
        };
        let cport_first = cport.split('-').next().unwrap_or(&cport).to_string();
        let key = format!("{cport_first}/{proto}");
        let shown = format!(
            "{}:{}->{cport_first}/{proto}",
            if ip.is_empty() { "0.0.0.0" } else { ip.as_str() },
            if hport.is_empty() { "random" } else { hport.as_str() }
        );
        f.set(
            format!("HostConfig.PortBindings={shown}"),
            item_loc(sp("ports"), item.pos),
        );
        f.set_once("HostConfig.PortBindings", item_loc(sp("ports"), item.pos));
        port_texts.push(shown);
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(RawPortBinding {
                host_ip: Some(ip),
                host_port: Some(hport),
            });
    }
    host.port_bindings = Some(bindings);
    let mut exposed = HashMap::new();
    for e in strs(svc.get("expose")) {
        let k = if e.contains('/') { e } else { format!("{e}/tcp") };
        exposed.insert(k, serde_json::Value::Object(Default::default()));
    }
    config.exposed_ports = Some(exposed);
    f.set("Config.ExposedPorts", at("expose"));

    // Volumes (short and long syntax), tmpfs, the API socket.
    let mut mounts = Vec::new();
    let mut volume_texts = Vec::new();
    for (i, item) in svc
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let (kind, source, dest, read_only, propagation) = match item.as_str() {
            Some(text) => mount_spec(text, &base, home.as_deref()),
            None => {
                let kind = item.get("type").and_then(Node::as_str).unwrap_or("volume").to_string();
                let src = item.get("source").and_then(Node::as_str).unwrap_or("").to_string();
                let source = if kind == "bind" {
                    host_path(&src, &base, home.as_deref())
                } else {
                    src
                };
                (
                    kind,
                    source,
                    trim_slash(item.get("target").and_then(Node::as_str).unwrap_or("")),
                    cbool(item.get("read_only")) == Some(true),
                    item.get("bind")
                        .and_then(|b| b.get("propagation"))
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                )
            }
        };
        if dest.is_empty() {
            return Err(err(
                files,
                item.pos,
                format!("services.{sname}.volumes[{i}]: no target path"),
            ));
        }
        let mut loc = item_loc(format!("{}[{i}]", sp("volumes")), item.pos);
        loc.written = Some(format!(
            "{}{}:{dest}{}",
            if kind == "bind" { "" } else { "volume " },
            source,
            if read_only { ":ro" } else { "" }
        ));
        f.set(format!("Mounts[{dest}]"), loc.clone());
        f.set(format!("Mounts[{dest}].Propagation"), Loc { written: None, ..loc });
        volume_texts.push(format!(
            "{kind} {source} {dest} {}",
            if read_only { "ro" } else { "rw" }
        ));
        mounts.push(RawMountPoint {
            name: (kind == "volume").then(|| source.clone()),
            kind: Some(kind),
            source: Some(source),
            destination: Some(dest),
            rw: Some(!read_only),
            propagation: Some(propagation),
        });
    }
    if cbool(svc.get("use_api_socket")) == Some(true) {
        let dest = "/var/run/docker.sock".to_string();
        f.set(
            format!("Mounts[{dest}]"),
            at("use_api_socket").written("use_api_socket: true (the engine's socket)"),
        );
        volume_texts.push(format!("bind /var/run/docker.sock {dest} rw"));
        mounts.push(RawMountPoint {
            kind: Some("bind".into()),
            name: None,
            source: Some("/var/run/docker.sock".into()),
            destination: Some(dest),
            rw: Some(true),
            propagation: Some(String::new()),
        });
    }
    volume_texts.sort();
    f.set("Config.Volumes", at("volumes"));

    host.readonly_rootfs = Some(cbool(svc.get("read_only")) == Some(true));
    f.set("HostConfig.ReadonlyRootfs", missing("read_only", "not set (false)"));
    let security_opt = strs(svc.get("security_opt"));
    host.security_opt = Some(security_opt.clone());
    f.set(
        "HostConfig.SecurityOpt",
        missing("security_opt", "no-new-privileges not set"),
    );
    for (i, item) in svc
        .get("security_opt")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(t) = item.as_str() {
            let normal = t.replacen(':', "=", 1);
            f.set(
                format!("HostConfig.SecurityOpt={normal}"),
                item_loc(format!("{}[{i}]", sp("security_opt")), item.pos),
            );
            if normal.starts_with("apparmor=") {
                f.set(
                    "AppArmorProfile",
                    item_loc(format!("{}[{i}]", sp("security_opt")), item.pos),
                );
            }
        }
    }

    // Devices.
    let mut devices = Vec::new();
    for (i, item) in svc
        .get("devices")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let (hostp, ctr, perm) = match item.as_str() {
            Some(t) => {
                let p: Vec<&str> = t.splitn(3, ':').collect();
                (
                    p[0].to_string(),
                    p.get(1).unwrap_or(&p[0]).to_string(),
                    p.get(2).unwrap_or(&"rwm").to_string(),
                )
            }
            None => (
                item.get("source").and_then(Node::as_str).unwrap_or("").to_string(),
                item.get("target").and_then(Node::as_str).unwrap_or("").to_string(),
                item.get("permissions")
                    .and_then(Node::as_str)
                    .unwrap_or("rwm")
                    .to_string(),
            ),
        };
        f.set(
            format!("HostConfig.Devices={hostp}:{ctr}:{perm}"),
            item_loc(format!("{}[{i}]", sp("devices")), item.pos),
        );
        f.set_once(
            "HostConfig.Devices",
            item_loc(format!("{}[{i}]", sp("devices")), item.pos),
        );
        devices.push(RawDevice {
            path_on_host: Some(hostp),
            path_in_container: Some(ctr),
            cgroup_permissions: Some(perm),
        });
    }
    host.devices = Some(devices);
    host.device_cgroup_rules = Some(strs(svc.get("device_cgroup_rules")));
    f.set("HostConfig.DeviceCgroupRules", at("device_cgroup_rules"));

    // Limits.
    let mem = limits
        .and_then(|l| l.get("memory"))
        .and_then(Node::as_str)
        .and_then(byte_size)
        .or_else(|| s("mem_limit").as_deref().and_then(byte_size));
    host.memory = mem;
    let mem_loc = if limits.and_then(|l| l.get("memory")).is_some() {
        let l = limits.map_or(svc.pos, |l| l.key_pos("memory"));
        item_loc(sp("deploy.resources.limits.memory"), l)
    } else {
        missing(
            "mem_limit",
            "not set (neither mem_limit nor deploy.resources.limits.memory)",
        )
    };
    f.set("HostConfig.Memory", mem_loc);
    let cpus = limits
        .and_then(|l| l.get("cpus"))
        .and_then(Node::as_str)
        .or_else(|| svc.get("cpus").and_then(Node::as_str))
        .and_then(|c| c.parse::<f64>().ok());
    host.nano_cpus = cpus.map(|c| (c * 1e9) as i64);
    host.cpu_shares = svc.get("cpu_shares").and_then(Node::as_i64);
    host.cpu_quota = svc.get("cpu_quota").and_then(Node::as_i64);
    host.cpu_period = svc.get("cpu_period").and_then(Node::as_i64);
    f.set(
        "HostConfig.CpuShares/NanoCpus/CpuQuota",
        missing(
            "cpus",
            "not set (neither cpus, cpu_shares nor deploy.resources.limits.cpus)",
        ),
    );
    let pids = limits
        .and_then(|l| l.get("pids"))
        .and_then(Node::as_i64)
        .or_else(|| svc.get("pids_limit").and_then(Node::as_i64));
    host.pids_limit = pids;
    f.set("HostConfig.PidsLimit", missing("pids_limit", "not set"));
    let mut ulimits = Vec::new();
    for (k, v) in svc.get("ulimits").and_then(Node::as_map).unwrap_or_default() {
        let name = k.as_str().unwrap_or("").to_string();
        let (soft, hard) = match v.as_i64() {
            Some(n) => (n, n),
            None => (
                v.get("soft").and_then(Node::as_i64).unwrap_or(0),
                v.get("hard").and_then(Node::as_i64).unwrap_or(0),
            ),
        };
        ulimits.push(RawUlimit {
            name: Some(name),
            soft: Some(soft),
            hard: Some(hard),
        });
    }
    host.ulimits = Some(ulimits);
    f.set("HostConfig.Ulimits", missing("ulimits", "not set"));
    host.oom_kill_disable = cbool(svc.get("oom_kill_disable"));
    f.set("HostConfig.OomKillDisable", at("oom_kill_disable"));
    host.cgroup_parent = s("cgroup_parent");
    f.set("HostConfig.CgroupParent", at("cgroup_parent"));
    host.runtime = s("runtime");
    host.log_config = Some(RawLogConfig {
        kind: svc
            .get("logging")
            .and_then(|l| l.get("driver"))
            .and_then(Node::as_str)
            .map(str::to_string),
    });
    f.set("HostConfig.LogConfig.Type", at("logging"));
    let mut sysctls = HashMap::new();
    for (k, v) in svc.get("sysctls").and_then(Node::as_map).unwrap_or_default() {
        let name = k.as_str().unwrap_or("").to_string();
        let value = v.as_str().unwrap_or("").to_string();
        f.set(
            format!("HostConfig.Sysctls[{name}]"),
            item_loc(format!("{}.{name}", sp("sysctls")), k.pos).written(format!("{name}={value}")),
        );
        sysctls.insert(name, value);
    }
    host.sysctls = Some(sysctls);

    // Restart: `restart`, or Swarm-style deploy.restart_policy.
    let restart = s("restart").or_else(|| {
        deploy
            .and_then(|d| d.get("restart_policy"))
            .and_then(|r| r.get("condition"))
            .and_then(Node::as_str)
            .map(|c| {
                if c == "any" {
                    "always".to_string()
                } else {
                    c.to_string()
                }
            })
    });
    let (rname, retries) = match restart.as_deref() {
        Some(r) if r.starts_with("on-failure") => (
            "on-failure".to_string(),
            r.split_once(':').and_then(|(_, n)| n.parse().ok()).or_else(|| {
                deploy
                    .and_then(|d| d.get("restart_policy"))
                    .and_then(|r| r.get("max_attempts"))
                    .and_then(Node::as_i64)
            }),
        ),
        Some(r) => (r.to_string(), None),
        None => ("no".to_string(), None),
    };
    host.restart_policy = Some(RawRestartPolicy {
        name: Some(rname),
        maximum_retry_count: retries,
    });
    f.set("HostConfig.RestartPolicy.Name", at("restart"));
    f.set("HostConfig.RestartPolicy.MaximumRetryCount", at("restart"));

    // Health check.
    let hc = svc.get_some("healthcheck");
    let test = if cbool(hc.and_then(|h| h.get("disable"))) == Some(true) {
        Some(vec!["NONE".to_string()])
    } else {
        match hc.and_then(|h| h.get("test")) {
            Some(t) if t.as_seq().is_some() => Some(strs(Some(t))),
            Some(t) => t.as_str().map(|s| vec!["CMD-SHELL".to_string(), s.to_string()]),
            None => None,
        }
    };
    let has_health = test.as_ref().is_some_and(|t| t.first().is_some_and(|f| f != "NONE"));
    config.healthcheck = Some(RawHealthConfig { test });
    f.set(
        "Config.Healthcheck",
        missing(
            "healthcheck",
            "not set (the image's HEALTHCHECK, if it has one, still applies)",
        ),
    );
    f.set("Config.Healthcheck.Test", at("healthcheck"));

    // User, image, command, environment names.
    config.user = s("user");
    f.set(
        "Config.User",
        if svc.get("user").is_some() {
            at("user")
        } else {
            missing("user", "not set (the image's user, root unless it sets one)")
        },
    );
    config.image = s("image");
    f.set("Config.Image", at("image"));
    config.entrypoint = Some(StringOrList::List(command_words(svc.get("entrypoint"))));
    config.cmd = Some(StringOrList::List(command_words(svc.get("command"))));
    f.set("Config.Entrypoint+Cmd", at("command"));
    let mut env_names: Vec<String> = svc
        .get("environment")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| k.as_str().map(|n| format!("{n}=")))
        .collect();
    for ef in env_file_paths(svc.get("env_file")) {
        let path = base.join(&ef.0);
        match read_limited(&path) {
            Ok(text) => env_names.extend(parse_env_file(&text).into_iter().map(|(k, _)| format!("{k}="))),
            Err(e) if ef.1 => {
                return Err(err(
                    files,
                    svc.key_pos("env_file"),
                    format!("services.{sname}.env_file {}: {e}", ef.0),
                ));
            }
            Err(_) => {}
        }
    }
    config.env = Some(env_names.clone());
    f.set("Config.Env (names only)", at("environment"));
    let labels: HashMap<String, String> = svc
        .get("labels")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or("").to_string())))
        .collect();
    config.labels = Some(labels);

    let mut env_sorted: Vec<String> = env_names.iter().map(|e| e.trim_end_matches('=').to_string()).collect();
    env_sorted.sort();
    env_sorted.dedup();
    port_texts.sort();
    let model = ServiceModel {
        image: config.image.clone(),
        user: config.user.clone(),
        privileged,
        cap_add: host.cap_add.clone().unwrap_or_default(),
        cap_drop: host.cap_drop.clone().unwrap_or_default(),
        network_mode: network_mode.clone(),
        networks: {
            let mut n = networks.clone();
            n.sort();
            n
        },
        pid: host.pid_mode.clone(),
        ipc: host.ipc_mode.clone(),
        read_only: host.readonly_rootfs == Some(true),
        security_opt,
        volumes: volume_texts,
        ports: port_texts,
        environment: env_sorted,
        healthcheck: has_health,
        restart: restart.clone(),
        mem_limit: mem,
        pids_limit: pids,
    };
    let mut network_settings = HashMap::new();
    if network_mode.is_none() {
        for n in &net_names {
            network_settings.insert(n.clone(), serde_json::Value::Object(Default::default()));
        }
    }
    let snapshot = crate::declared_snapshot(&target, config, host, mounts, Some(network_settings), None);
    let anchor = item_loc(format!("services.{sname}"), key_pos);
    Ok((
        Declared {
            kind: InputKind::Compose,
            file: files
                .get(key_pos.src as usize)
                .map_or_else(|| "".into(), |f| f.as_str().into()),
            name: target,
            containers: vec![DeclaredContainer {
                snapshot,
                fields: f,
                anchor,
                skip: Vec::new(),
            }],
            pod: None,
            pss: Vec::new(),
        },
        model,
    ))
}

/// `env_file` entries: `(path, required)`.
fn env_file_paths(node: Option<&Node>) -> Vec<(String, bool)> {
    let Some(n) = node else { return Vec::new() };
    let items: Vec<&Node> = match n.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![n],
    };
    items
        .into_iter()
        .filter_map(|i| match i.as_str() {
            Some(p) => Some((p.to_string(), true)),
            None => i
                .get("path")
                .and_then(Node::as_str)
                .map(|p| (p.to_string(), cbool(i.get("required")) != Some(false))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn interpolation_follows_compose() {
        let e = env(&[("A", "x"), ("EMPTY", "")]);
        let mut unset = Vec::new();
        let i = |t: &str, u: &mut Vec<String>| interpolate(t, &e, u).unwrap();
        assert_eq!(i("${A}-$A-$$A", &mut unset), "x-x-$A");
        assert_eq!(i("${EMPTY:-d}|${EMPTY-d}|${NOPE-d}", &mut unset), "d||d");
        assert_eq!(i("${NOPE:-${A}}", &mut unset), "x");
        assert_eq!(i("${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}", &mut unset), "alt||alt");
        assert_eq!(i("$NOPE.", &mut unset), ".");
        assert_eq!(unset, ["NOPE"]);
        assert!(
            interpolate("${NOPE:?must be set}", &e, &mut unset)
                .unwrap_err()
                .contains("must be set")
        );
        assert!(interpolate("${EMPTY:?}", &e, &mut unset).is_err());
        assert!(interpolate("${A", &e, &mut unset).is_err());
        assert_eq!(interpolate("5$", &e, &mut unset).unwrap(), "5$");
    }

    #[test]
    fn ports_short_syntax() {
        let p = |t: &str| parse_port(t).unwrap();
        assert_eq!(p("80"), ("".into(), "".into(), "80".into(), "tcp".into()));
        assert_eq!(p("8080:80"), ("".into(), "8080".into(), "80".into(), "tcp".into()));
        assert_eq!(
            p("127.0.0.1:8080:80/udp"),
            ("127.0.0.1".into(), "8080".into(), "80".into(), "udp".into())
        );
        assert_eq!(
            p("[::1]:8080:80"),
            ("::1".into(), "8080".into(), "80".into(), "tcp".into())
        );
        assert_eq!(
            p("127.0.0.1::80"),
            ("127.0.0.1".into(), "".into(), "80".into(), "tcp".into())
        );
        assert_eq!(
            p("9090-9091:8080-8081"),
            ("".into(), "9090-9091".into(), "8080-8081".into(), "tcp".into())
        );
    }

    #[test]
    fn env_files_and_sizes() {
        let vars = parse_env_file("# c\nA=1\nexport B='two words'\nC=\"q\\\"x\"\nD=v # comment\nE\n");
        assert_eq!(
            vars,
            [("A", "1"), ("B", "two words"), ("C", "q\"x"), ("D", "v"), ("E", "")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(byte_size("512m"), Some(536870912));
        assert_eq!(byte_size("1.5G"), Some(1610612736));
        assert_eq!(byte_size("100"), Some(100));
        assert_eq!(byte_size("2GB"), Some(2147483648));
        assert_eq!(byte_size("x"), None);
    }

    fn project(text: &str, environ: &[(&str, &str)]) -> Project {
        load(&Options {
            files: vec![("/srv/app/compose.yaml".to_string(), text.to_string())],
            project_dir: Some(PathBuf::from("/srv/app")),
            environ: env(environ),
            ..Options::default()
        })
        .unwrap()
    }

    #[test]
    fn services_become_containers_with_their_keys() {
        let p = project(
            "services:\n  web:\n    image: nginx:${TAG:-1.27}\n    privileged: true\n    ports: [\"127.0.0.1:8080:80\"]\n    volumes:\n      - ./html:/usr/share/nginx/html:ro\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n  dev:\n    image: busybox\n    profiles: [debug]\n",
            &[],
        );
        assert_eq!(p.name, "app");
        assert_eq!(p.inactive, ["dev"]);
        let web = &p.services["web"];
        assert_eq!(web.image.as_deref(), Some("nginx:1.27"));
        assert!(web.privileged);
        assert_eq!(web.ports, ["127.0.0.1:8080->80/tcp"]);
        assert_eq!(
            web.volumes,
            [
                "bind /srv/app/html /usr/share/nginx/html ro",
                "bind /var/run/docker.sock /var/run/docker.sock rw"
            ]
        );
        let d = &p.declared[0];
        assert_eq!(d.name, "app/web");
        let loc = d.containers[0].fields.get("HostConfig.Privileged").unwrap();
        assert_eq!(
            (loc.path.as_str(), loc.pos.line, loc.pos.column),
            ("services.web.privileged", 4, 5)
        );
    }

    #[test]
    fn override_files_merge_in_order_and_extends_resolves() {
        let p = load(&Options {
            files: vec![
                ("/p/compose.yaml".into(), "services:\n  base:\n    image: a\n    cap_add: [NET_ADMIN]\n    environment: [A=1]\n  web:\n    extends: base\n    user: \"1000\"\n".into()),
                ("/p/compose.override.yaml".into(), "services:\n  web:\n    cap_add: [SYS_TIME]\n    environment:\n      B: 2\n    volumes: [\"/:/host\"]\n".into()),
            ],
            project_dir: Some(PathBuf::from("/p")),
            project_name: Some("Demo!".into()),
            ..Options::default()
        })
        .unwrap();
        assert_eq!(p.name, "demo");
        let web = &p.services["web"];
        assert_eq!(web.cap_add, ["NET_ADMIN", "SYS_TIME"]);
        assert_eq!(web.environment, ["A", "B"]);
        assert_eq!(web.user.as_deref(), Some("1000"));
        let loc = p.declared.iter().find(|d| d.name == "demo/web").unwrap().containers[0]
            .fields
            .get("Mounts[/host]")
            .unwrap()
            .clone();
        assert_eq!(loc.file.as_deref(), Some("/p/compose.override.yaml"));
        assert_eq!(loc.pos.line, 6);
    }

    #[test]
    fn bad_projects_are_errors_naming_file_and_line() {
        let e = load(&Options {
            files: vec![("c.yml".into(), "services:\n  a:\n    image: ${IMG:?set IMG}\n".into())],
            ..Options::default()
        })
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("c.yml", 3));
        assert!(e.message.contains("set IMG"), "{e}");
        let e = load(&Options {
            files: vec![("c.yml".into(), "services:\n  a:\n    extends: a\n".into())],
            ..Options::default()
        })
        .unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
        assert!(
            load(&Options {
                files: vec![("c.yml".into(), "- a\n".into())],
                ..Options::default()
            })
            .is_err()
        );
    }
}
