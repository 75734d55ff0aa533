//! The rest of hadolint's rules, with hadolint's semantics (hadolint 2.15,
//! `src/Hadolint/Rule/DL*.hs`) except where its rule page says vigie is
//! right and hadolint is not: instruction order, consecutive RUNs, ENV
//! self-references, labels and the label schema, ONBUILD triggers, FROM
//! platforms and stage names, package-manager caches, go, useradd, wget.

use std::collections::{BTreeSet, HashSet};

use super::super::catalog::{self, LintRule};
use super::super::config::LabelType;
use super::{Checker, Raw, Script};
use vigie_dockerfile::parser::{self, Form, Instruction, Keyword};
use vigie_dockerfile::shell::Command;

/// What the file-wide rules remember while walking the instructions.
#[derive(Default)]
pub(super) struct Walk {
    /// A FROM was seen (DL3061).
    pub(super) seen_from: bool,
    /// The previous instruction was a RUN: (its flags, its command count) (DL3059).
    pub(super) previous_run: Option<(Vec<String>, usize)>,
    /// Download tools used so far in this stage (DL4001).
    pub(super) fetchers: BTreeSet<&'static str>,
    /// Archives copied into this stage, not yet extracted: (instruction index, base name) (DL3010).
    pub(super) archives: Vec<(usize, String)>,
    /// Archives copied and then extracted by a RUN of the same stage.
    pub(super) extracted: BTreeSet<usize>,
    /// Names defined by ARG or ENV so far, file-wide as hadolint keeps them (DL3044).
    pub(super) defined: HashSet<String>,
    /// Names defined by ARG so far (DL3066).
    pub(super) arg_names: Vec<String>,
}

/// Label-schema state of one stage (DL3049).
pub(super) struct StageLabels {
    pub(super) from_index: usize,
    pub(super) name: Option<String>,
    pub(super) base: String,
    pub(super) labels: HashSet<String>,
    pub(super) healthcheck: bool,
}

impl Checker<'_> {
    /// Rules that look at each instruction in order, whatever its stage.
    /// `posix_shell`: the current stage's SHELL is a POSIX shell (its
    /// `StageState`, inheritance from a parent stage included).
    pub(super) fn check_walk(&mut self, index: usize, instruction: &Instruction, posix_shell: bool, walk: &mut Walk) {
        let file = self.file;
        let keyword = instruction.keyword;
        // DL3061: only ARG (and comments, directives) before the first FROM.
        match keyword {
            Keyword::From => walk.seen_from = true,
            Keyword::Arg => {}
            _ if !walk.seen_from => {
                let span = self.line_span(instruction);
                self.push(
                    &catalog::DL3061,
                    instruction,
                    span,
                    format!(
                        "{} before the first FROM (only ARG may come first)",
                        instruction.keyword.as_str()
                    ),
                );
            }
            _ => {}
        }
        // DL3059: consecutive RUNs with the same flags, each of one command
        // (hadolint counts two chained commands as more than its limit of two).
        if keyword == Keyword::Run {
            let mut flags: Vec<String> = instruction
                .flags
                .iter()
                .map(|f| format!("{}={}", f.name.to_ascii_lowercase(), f.value.as_deref().unwrap_or("")))
                .collect();
            flags.sort();
            let count = if !posix_shell {
                statements(instruction.rest())
            } else {
                self.scripts(instruction)
                    .iter()
                    .map(|s| s.commands.iter().filter(|c| !c.nested && !c.words.is_empty()).count())
                    .sum::<usize>()
            };
            match &walk.previous_run {
                Some((previous_flags, previous_count))
                    if *previous_flags == flags && count <= 1 && *previous_count <= 1 =>
                {
                    let span = self.line_span(instruction);
                    self.push(
                        &catalog::DL3059,
                        instruction,
                        span,
                        "RUN right after another RUN with the same flags: consider joining them",
                    );
                }
                _ => walk.previous_run = Some((flags, count)),
            }
        } else {
            walk.previous_run = None;
        }
        match keyword {
            Keyword::From => {
                walk.fetchers.clear();
                self.flush_archives(walk);
                self.check_from_more(instruction);
            }
            Keyword::Env => self.check_env_refs(instruction, walk),
            Keyword::Arg => {
                for (name, _) in parser::key_values(instruction.rest()) {
                    walk.defined.insert(name.clone());
                    walk.arg_names.push(name);
                }
            }
            Keyword::User => self.check_user_numeric(instruction, walk),
            Keyword::Label => self.check_labels(instruction),
            Keyword::Onbuild => {
                if let Some(trigger) = &instruction.trigger
                    && matches!(trigger.keyword, Keyword::Onbuild | Keyword::From | Keyword::Maintainer)
                {
                    let span = self.line_span(instruction);
                    self.push(
                        &catalog::DL3043,
                        instruction,
                        span,
                        format!("ONBUILD {}: BuildKit refuses this trigger", trigger.keyword.as_str()),
                    );
                }
            }
            Keyword::Copy => self.check_copy_more(index, instruction, walk),
            Keyword::Run => self.check_extracts(instruction, walk),
            _ => {}
        }
        let _ = file;
    }

    /// At the end of the file or of a stage: archives copied and then extracted (DL3010).
    pub(super) fn flush_archives(&mut self, walk: &mut Walk) {
        let file = self.file;
        for index in std::mem::take(&mut walk.extracted) {
            let instruction = &file.instructions[index];
            let span = self.line_span(instruction);
            self.push(
                &catalog::DL3010,
                instruction,
                span,
                "an archive is copied and then extracted by a RUN: `ADD` extracts local archives in one layer",
            );
        }
        walk.archives.clear();
    }

    /// Download tools of a RUN, for DL4001 (per stage, as hadolint).
    pub(super) fn note_fetchers(&mut self, instruction: &Instruction, walk: &mut Walk, wget: bool, curl: bool) {
        if !(wget || curl) {
            return;
        }
        if wget {
            walk.fetchers.insert("wget");
        }
        if curl {
            walk.fetchers.insert("curl");
        }
        if walk.fetchers.len() == 2 {
            let span = self.line_span(instruction);
            self.push(
                &catalog::DL4001,
                instruction,
                span,
                "this stage uses both wget and curl",
            );
        }
    }

    fn check_from_more(&mut self, instruction: &Instruction) {
        let span = self.line_span(instruction);
        if let Some(platform) = instruction.flag("platform").and_then(|f| f.value.clone()) {
            if !platform.contains("BUILDPLATFORM") && !platform.contains("TARGETPLATFORM") {
                self.push(
                    &catalog::DL3029,
                    instruction,
                    span,
                    format!("FROM --platform={platform} builds for that platform whatever the build targets"),
                );
            }
            if platform == "$TARGETPLATFORM" || platform == "${TARGETPLATFORM}" {
                self.push(
                    &catalog::DL3065,
                    instruction,
                    span,
                    "FROM --platform=$TARGETPLATFORM is the default",
                );
            }
        }
        let words = parser::split_words(instruction.rest());
        if let [_, (as_kw, _, _), (name, _, _), ..] = words.as_slice()
            && as_kw.eq_ignore_ascii_case("as")
            && matches!(name.to_ascii_lowercase().as_str(), "scratch" | "context")
        {
            self.push(
                &catalog::DL3063,
                instruction,
                span,
                format!("stage name '{name}' is a reserved word"),
            );
        }
    }

    /// DL3044: `ENV A=1 B=$A` reads the old `A`, not 1.
    fn check_env_refs(&mut self, instruction: &Instruction, walk: &mut Walk) {
        let pairs = parser::key_values(instruction.rest());
        let mut bad = Vec::new();
        for (i, (name, _)) in pairs.iter().enumerate() {
            let referenced = pairs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .any(|(_, (_, value))| value.as_deref().is_some_and(|v| refers_to(v, name)));
            if referenced && !walk.defined.contains(name) {
                bad.push(name.clone());
            }
        }
        for (name, _) in &pairs {
            walk.defined.insert(name.clone());
        }
        if !bad.is_empty() {
            let span = self.line_span(instruction);
            self.push(
                &catalog::DL3044,
                instruction,
                span,
                format!(
                    "ENV refers to {} defined in the same ENV: it expands to the value before this instruction",
                    bad.join(", ")
                ),
            );
        }
    }

    /// DL3066: a user name is resolved inside the image; a numeric id is not.
    fn check_user_numeric(&mut self, instruction: &Instruction, walk: &Walk) {
        let Some((user, start, end)) = parser::split_words(instruction.rest()).into_iter().next() else {
            return;
        };
        let uid = user.split(':').next().unwrap_or("");
        if uid.chars().all(|c| c.is_ascii_digit()) {
            return;
        }
        if walk
            .arg_names
            .iter()
            .any(|a| user.contains(&format!("${{{a}}}")) || user.contains(&format!("${a}")))
        {
            return;
        }
        let span = self
            .file
            .span_of(instruction, instruction.rest_offset + start, end - start);
        self.push(
            &catalog::DL3066,
            instruction,
            span,
            format!("USER {user} is a name, not a numeric id"),
        );
    }

    fn check_labels(&mut self, instruction: &Instruction) {
        let pairs = parser::key_values(instruction.rest());
        let span = self.line_span(instruction);
        let invalid: Vec<&str> = pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !valid_label_key(k))
            .collect();
        if !invalid.is_empty() {
            self.push(
                &catalog::DL3048,
                instruction,
                span,
                format!("invalid label key: {}", invalid.join(", ")),
            );
        }
        let schema = &self.config.label_schema;
        if schema.is_empty() {
            return;
        }
        if self.config.strict_labels && pairs.iter().any(|(k, _)| !schema.contains_key(k)) {
            let extra: Vec<&str> = pairs
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !schema.contains_key(*k))
                .collect();
            self.push(
                &catalog::DL3050,
                instruction,
                span,
                format!("label(s) not in the label schema: {}", extra.join(", ")),
            );
        }
        let mut out = Vec::new();
        for (label, kind) in schema {
            for (key, value) in &pairs {
                if key != label {
                    continue;
                }
                let value = value.as_deref().unwrap_or("");
                if value.is_empty() {
                    out.push((&catalog::DL3051, label.clone(), format!("label {label} is empty")));
                }
                let (rule, what, ok): (&'static LintRule, &str, bool) = match kind {
                    LabelType::Text => continue,
                    LabelType::Url => (&catalog::DL3052, "a URL", is_url_value(value)),
                    LabelType::Rfc3339 => (&catalog::DL3053, "an RFC 3339 time", is_rfc3339(value)),
                    LabelType::Spdx => (&catalog::DL3054, "an SPDX licence expression", is_spdx(value)),
                    LabelType::Hash => (&catalog::DL3055, "a git hash", is_git_hash(value)),
                    LabelType::Semver => (&catalog::DL3056, "a semantic version", is_semver(value)),
                    LabelType::Email => (&catalog::DL3058, "an email address", is_email(value)),
                };
                if !ok {
                    out.push((rule, label.clone(), format!("label {label}='{value}' is not {what}")));
                }
            }
        }
        for (rule, label, message) in out {
            self.out.push(Raw {
                rule,
                span,
                instruction_line: instruction.line(),
                message,
                suggestion: None,
                label: Some(label),
            });
        }
    }

    /// DL3049 (labels of the schema missing from a stage) and DL3057 (no
    /// HEALTHCHECK), once every stage is known.
    pub(super) fn check_stage_labels(&mut self, stages: &[StageLabels], copied_from: &HashSet<String>) {
        let file = self.file;
        let good_chain = |i: usize, has: &dyn Fn(&StageLabels) -> bool| -> bool {
            // A stage is good when it, or a stage it is built FROM, has the property.
            let mut at = i;
            for _ in 0..stages.len() {
                let stage = &stages[at];
                if has(stage) {
                    return true;
                }
                match stages[..at]
                    .iter()
                    .rposition(|s| s.name.as_deref() == Some(stage.base.to_ascii_lowercase().as_str()))
                {
                    Some(parent) => at = parent,
                    None => return false,
                }
            }
            false
        };
        let labels: Vec<String> = self.config.label_schema.keys().cloned().collect();
        for label in labels {
            for (i, stage) in stages.iter().enumerate() {
                if good_chain(i, &|s: &StageLabels| s.labels.contains(&label)) {
                    continue;
                }
                if stage.name.as_ref().is_some_and(|n| copied_from.contains(n)) {
                    continue;
                }
                let instruction = &file.instructions[stage.from_index];
                let span = self.line_span(instruction);
                self.out.push(Raw {
                    rule: &catalog::DL3049,
                    span,
                    instruction_line: instruction.line(),
                    message: format!("the stage has no label {label}, which the label schema requires"),
                    suggestion: None,
                    label: Some(label.clone()),
                });
            }
        }
        for (i, stage) in stages.iter().enumerate() {
            if good_chain(i, &|s: &StageLabels| s.healthcheck) {
                continue;
            }
            let instruction = &file.instructions[stage.from_index];
            let span = self.line_span(instruction);
            self.push(&catalog::DL3057, instruction, span, "the stage has no HEALTHCHECK");
        }
    }

    fn check_copy_more(&mut self, index: usize, instruction: &Instruction, walk: &mut Walk) {
        let words: Vec<String> = match &instruction.form {
            Form::Json(items) => items.clone(),
            Form::Shell => parser::split_words(instruction.rest())
                .into_iter()
                .map(|w| w.0)
                .collect(),
        };
        if words.len() < 2 {
            return;
        }
        let (sources, target) = words.split_at(words.len() - 1);
        let target = unquote(&target[0]);
        if instruction.flag("from").is_some() {
            if target == "/" && sources.iter().any(|s| unquote(s) == "/") {
                let span = self.line_span(instruction);
                self.push(
                    &catalog::DL3067,
                    instruction,
                    span,
                    "COPY --from of the whole filesystem of another stage",
                );
            }
            return;
        }
        // DL3010: remember archives copied in, to see whether a RUN extracts them.
        let names: Vec<String> = if is_hadolint_archive(target) {
            vec![basename(target).to_string()]
        } else {
            sources
                .iter()
                .map(|s| basename(s).to_string())
                .filter(|s| is_hadolint_archive(s))
                .collect()
        };
        for name in names {
            walk.archives.push((index, name));
        }
    }

    fn check_extracts(&mut self, instruction: &Instruction, walk: &mut Walk) {
        if walk.archives.is_empty() {
            return;
        }
        let scripts = self.scripts(instruction);
        for script in &scripts {
            for command in &script.commands {
                let name = command.name();
                let tar_extract = name == "tar"
                    && command.args().iter().any(|a| {
                        let t = a.text.as_str();
                        t == "--extract"
                            || t == "--get"
                            || (t.starts_with('-') && !t.starts_with("--") && t.contains('x'))
                    });
                let unpack = matches!(
                    name,
                    "unzip" | "gunzip" | "bunzip2" | "unlzma" | "unxz" | "zgz" | "uncompress" | "zcat" | "gzcat"
                );
                if !(tar_extract || unpack) {
                    continue;
                }
                let args: Vec<&str> = command
                    .args()
                    .iter()
                    .filter(|a| !a.text.starts_with('-'))
                    .map(|a| basename(&a.text))
                    .collect();
                for (index, archive) in &walk.archives {
                    if args.contains(&archive.as_str()) {
                        walk.extracted.insert(*index);
                    }
                }
            }
        }
    }

    /// Package-manager caches and other per-command rules of a RUN.
    pub(super) fn check_run_more(
        &mut self,
        instruction: &Instruction,
        scripts: &[Script],
        cached: &dyn Fn(&str) -> bool,
        ships: bool,
    ) {
        let commands: Vec<&Command> = scripts.iter().flat_map(|s| s.commands.iter()).collect();
        let first = |pred: &dyn Fn(&Command) -> bool| commands.iter().position(|c| pred(c));
        let span = self.line_span(instruction);
        // yum: clean after install.
        let yum_install = first(&|c| c.name() == "yum" && c.has_arg("install"));
        if let Some(install) = yum_install {
            let clean = commands[install..]
                .iter()
                .any(|c| (c.name() == "yum" && c.has_arg("clean") && c.has_arg("all")) || removes(c, "/var/cache/yum"));
            if !clean && !cached("/var/cache/yum") {
                self.push(
                    &catalog::DL3032,
                    instruction,
                    span,
                    "yum install without `yum clean all` after it",
                );
            }
        }
        // dnf, microdnf: clean after install.
        for manager in ["dnf", "microdnf"] {
            let install = first(&|c| {
                c.name() == manager
                    && c.args().iter().any(|a| {
                        matches!(
                            a.text.as_str(),
                            "install" | "in" | "upgrade" | "up" | "upgrade-minimal" | "up-min" | "reinstall" | "rei"
                        )
                    })
            });
            if let Some(install) = install {
                let clean = commands[install..].iter().any(|c| {
                    (c.name() == manager && c.has_arg("clean") && c.has_arg("all"))
                        || removes(c, "/var/cache/libdnf5")
                        || removes(c, "/var/cache/dnf")
                        || removes(c, "/var/cache/yum")
                });
                let mounted = cached("/var/cache/libdnf5")
                    || cached("/root/.cache/libdnf5")
                    || cached("/var/cache/dnf")
                    || cached("/var/cache/yum");
                if !clean && !mounted {
                    self.push(
                        &catalog::DL3040,
                        instruction,
                        span,
                        format!("{manager} install without `{manager} clean all` after it"),
                    );
                }
            }
        }
        // zypper: clean after install, no dist-upgrade.
        let zypper_install = first(&|c| c.name() == "zypper" && (c.has_arg("install") || c.has_arg("in")));
        if let Some(install) = zypper_install {
            let clean = commands[install..].iter().any(|c| {
                (c.name() == "zypper" && (c.has_arg("clean") || c.has_arg("cc"))) || removes(c, "/var/cache/zypp")
            });
            if !clean && !cached("/var/cache/zypp") {
                self.push(
                    &catalog::DL3036,
                    instruction,
                    span,
                    "zypper install without `zypper clean` after it",
                );
            }
        }
        for command in &commands {
            let name = command.name();
            if name == "zypper" && (command.has_arg("dist-upgrade") || command.has_arg("dup")) {
                self.push(&catalog::DL3035, instruction, span, "zypper dist-upgrade in the build");
            }
            if name == "useradd" && forgot_no_log_init(command) {
                self.push(
                    &catalog::DL3046,
                    instruction,
                    span,
                    "useradd with a high UID and without -l: the lastlog file grows with the UID",
                );
            }
            if name == "wget" && wget_is_noisy(command) {
                self.push(
                    &catalog::DL3047,
                    instruction,
                    span,
                    "wget without -q, -nv or --progress: the progress bar floods the build log",
                );
            }
            if name == "ln" && command.has_arg("/bin/sh") {
                self.push(
                    &catalog::DL4005,
                    instruction,
                    span,
                    "ln replaces /bin/sh: use SHELL to change the shell of RUN",
                );
            }
        }
        // go install / go get / go run without a version.
        let unpinned = go_unpinned(&commands);
        if !unpinned.is_empty() {
            self.push(
                &catalog::DL3062,
                instruction,
                span,
                format!("go installs '{}' without a version", unpinned.join("', '")),
            );
        }
        // yarn install without yarn cache clean after it, in a stage that ships.
        if ships {
            let install = first(&|c| c.name() == "yarn" && c.has_arg("install"));
            let clean = first(&|c| c.name() == "yarn" && c.has_arg("cache") && c.has_arg("clean"));
            let missing = match (install, clean) {
                (Some(_), None) => {
                    !cached("/usr/local/share/.cache/yarn")
                        && !cached("/root/.cache/yarn")
                        && !mounted_suffix(instruction, ".cache/yarn")
                }
                (Some(i), Some(c)) => c < i,
                _ => false,
            };
            if missing {
                self.push(
                    &catalog::DL3060,
                    instruction,
                    span,
                    "yarn install without `yarn cache clean` after it",
                );
            }
        }
    }
}

/// A `--mount=type=cache|tmpfs` whose target ends with `suffix`.
fn mounted_suffix(instruction: &Instruction, suffix: &str) -> bool {
    instruction
        .flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref())
        .any(|m| {
            (m.contains("type=cache") || m.contains("type=tmpfs"))
                && m.split(',').any(|kv| {
                    matches!(kv.split_once('='), Some(("target" | "dst" | "destination", t)) if t.trim_end_matches('/').ends_with(suffix))
                })
        })
}

/// `rm` of `dir` or something under it.
fn removes(command: &Command, dir: &str) -> bool {
    command.name() == "rm" && command.args().iter().any(|a| a.text.starts_with(dir))
}

/// Top-level statements of a PowerShell or cmd script: pieces between `;`
/// and line ends outside quotes, parentheses and braces. Written by hand: no
/// crate parses PowerShell, and counting statements is all DL3059 needs.
fn statements(script: &str) -> usize {
    let (mut depth, mut quote, mut count, mut current) = (0usize, None::<char>, 0, false);
    for c in script.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => {
                quote = Some(c);
                current = true;
            }
            (None, '(' | '{' | '[') => {
                depth += 1;
                current = true;
            }
            (None, ')' | '}' | ']') => depth = depth.saturating_sub(1),
            (None, ';' | '\n') if depth == 0 => {
                count += usize::from(current);
                current = false;
            }
            (None, c) if !c.is_whitespace() => current = true,
            _ => {}
        }
    }
    count + usize::from(current)
}

fn forgot_no_log_init(command: &Command) -> bool {
    if command.has_option(Some('l'), &["--no-log-init"]) {
        return false;
    }
    let args = command.args();
    let mut uid = None;
    for (i, a) in args.iter().enumerate() {
        let t = a.text.as_str();
        if t == "-u" || t == "--uid" {
            uid = args.get(i + 1).map(|w| w.text.clone());
        } else if let Some(v) = t.strip_prefix("--uid=") {
            uid = Some(v.to_string());
        } else if let Some(v) = t.strip_prefix("-u")
            && !v.is_empty()
            && !t.starts_with("--")
        {
            uid = Some(v.to_string());
        }
    }
    // A UID held in a variable is not judged by its name's length.
    uid.is_some_and(|u| u.len() > 5 && u.bytes().all(|b| b.is_ascii_digit()))
}

fn wget_is_noisy(command: &Command) -> bool {
    let quiet = command.args().iter().any(|a| {
        let t = a.text.as_str();
        if let Some(long) = t.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            return matches!(
                name,
                "quiet" | "progress" | "no-verbose" | "output-file" | "append-output"
            );
        }
        if t == "-nv" {
            return true;
        }
        // A short cluster: `-q`, `-qO-`, `-qO /tmp/x` (letters up to a value).
        t.strip_prefix('-').is_some_and(|cluster| {
            cluster
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .any(|c| matches!(c, 'q' | 'o' | 'a'))
        })
    });
    !quiet
}

/// hadolint's DL3062: packages of `go install`/`go get`, or the package of
/// `go run`, that name no version.
fn go_unpinned(commands: &[&Command]) -> Vec<String> {
    let mut run = Vec::new();
    let mut get = Vec::new();
    for c in commands {
        if c.name() != "go" {
            continue;
        }
        let operands: Vec<&str> = c
            .args()
            .iter()
            .map(|a| a.text.as_str())
            .filter(|t| !t.starts_with('-'))
            .collect();
        match operands.first() {
            Some(&"run") => {
                if let Some(p) = operands.get(1) {
                    run.push(p.to_string());
                }
            }
            Some(&"install") | Some(&"get") => {
                get.extend(operands[1..].iter().filter(|t| **t != "tool").map(|t| t.to_string()))
            }
            _ => {}
        }
    }
    let packages = if run.is_empty() { get } else { run };
    packages
        .into_iter()
        .filter(|p| {
            let local = p == "." || p.starts_with('/') || p.starts_with('.') || p.ends_with(".go");
            let pinned = p.contains('@') && !p.ends_with("@latest") && !p.ends_with("@none");
            !(local || pinned)
        })
        .collect()
}

/// `$name` or `${name}` in `text` (and not `$nameX`).
fn refers_to(text: &str, name: &str) -> bool {
    if text.contains(&format!("${{{name}}}")) {
        return true;
    }
    let needle = format!("${name}");
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            return true;
        }
        rest = after;
    }
    false
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

fn basename(s: &str) -> &str {
    let s = unquote(s);
    s.rsplit(['/', '\\']).next().unwrap_or(s)
}

/// hadolint's archive suffixes (`archiveFileFormatExtensions`).
fn is_hadolint_archive(s: &str) -> bool {
    [
        ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz",
        ".xz",
    ]
    .iter()
    .any(|e| unquote(s).ends_with(e))
}

/// Docker's label key format, as hadolint checks it (DL3048).
pub(super) fn valid_label_key(key: &str) -> bool {
    let first_ok = key.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let last_ok = key
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let chars_ok = key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/'));
    let reserved =
        key.starts_with("com.docker.") || key.starts_with("io.docker.") || key.starts_with("org.dockerproject.");
    first_ok && last_ok && chars_ok && !reserved && !key.contains("..") && !key.contains("--")
}

/// An absolute URI (`scheme:rest`), as `Network.URI.parseURI` accepts.
fn is_url_value(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'));
    scheme_ok && rest_ok
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6),
        _ => false,
    }
}

/// An SPDX licence expression of known ids (the `spdx` crate's list), as
/// hadolint's SPDX library checks it.
fn is_spdx(v: &str) -> bool {
    spdx::Expression::parse_mode(v, spdx::ParseMode::STRICT).is_ok()
}

fn is_git_hash(v: &str) -> bool {
    (v.len() == 7 || v.len() == 40) && v.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Semantic Versioning 2.0.0, strictly (no leading `v`, no leading zeros).
fn is_semver(v: &str) -> bool {
    let (core, build) = match v.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|i| ident(i) && (!i.chars().all(|c| c.is_ascii_digit()) || numeric(i)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// An RFC 5322 addr-spec (dot-atom local part or quoted string, dot-atom or
/// literal domain).
fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |s: &str, ok: &dyn Fn(char) -> bool| {
        !s.is_empty() && s.split('.').all(|part| !part.is_empty() && part.chars().all(ok))
    };
    let local_ok = dot_atom(local, &atext) || (local.len() >= 2 && local.starts_with('"') && local.ends_with('"'));
    let domain_ok = dot_atom(domain, &|c: char| c.is_ascii_alphanumeric() || c == '-')
        || (domain.starts_with('[') && domain.ends_with(']'));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_value_formats() {
        assert!(valid_label_key("org.opencontainers.image.source"));
        assert!(!valid_label_key("Maintainer"));
        assert!(!valid_label_key("com.docker.x"));
        assert!(!valid_label_key("a..b"));
        assert!(is_url_value("https://example.com/x"));
        assert!(!is_url_value("example.com"));
        assert!(is_rfc3339("2024-05-01T12:00:00Z"));
        assert!(is_rfc3339("2024-05-01T12:00:00.123+02:00"));
        assert!(!is_rfc3339("2024-05-01"));
        assert!(is_spdx("MIT OR (Apache-2.0 WITH LLVM-exception)"));
        assert!(!is_spdx("MIT OR"));
        assert!(is_git_hash("5f3c2b1"));
        assert!(!is_git_hash("main"));
        assert!(is_semver("1.0.0-rc.1+build.5"));
        assert!(!is_semver("v1.0.0"));
        assert!(!is_semver("1.02.0"));
        assert!(is_email("team@example.com"));
        assert!(!is_email("team"));
    }

    #[test]
    fn powershell_statements() {
        assert_eq!(statements("Write-Host a"), 1);
        assert_eq!(
            statements("$x = (Start-Process a -ArgumentList ' a; b ').ExitCode; if ($x -ne 0) { exit $x; };"),
            2
        );
        assert_eq!(statements(" ; "), 0);
    }

    #[test]
    fn env_references() {
        assert!(refers_to("$A/bin", "A"));
        assert!(refers_to("${A}x", "A"));
        assert!(!refers_to("$AB", "A"));
    }
}
