//! The checks: a parsed Dockerfile in, findings with exact positions out.

use std::collections::HashSet;

mod more;

use crate::{Finding, Suppression};
use serde::Serialize;

use super::catalog::{self, LintRule};
use super::config::{Config, Level};
use vigie_dockerfile::parser::{self, Dockerfile, Form, Instruction, Keyword, Position, Span};
use vigie_dockerfile::shell::{self, Command, Word};

/// A safe mechanical fix: replace `span` with `replacement` (an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub description: String,
    pub span: Span,
    pub replacement: String,
}

/// A finding plus what SARIF and hadolint-json need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// First line of the instruction the finding is about (hadolint reports that line).
    pub instruction_line: usize,
    /// hadolint's level for this finding (its default for the rule, or the configured override).
    pub hadolint_level: &'static str,
    /// hadolint's message for the rule, word for word (vigie's `message` says more).
    #[serde(skip)]
    pub hadolint_message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

impl LintFinding {
    pub fn level(&self) -> Level {
        Level::parse(self.hadolint_level).unwrap_or(Level::Style)
    }
}

struct Raw {
    rule: &'static LintRule,
    span: Span,
    instruction_line: usize,
    message: String,
    suggestion: Option<Suggestion>,
    /// The label a label-schema rule is about (for hadolint's message).
    label: Option<String>,
}

/// Where the words of a shell script came from, to turn offsets into positions.
enum Origin<'a> {
    /// Offsets in `instruction.args`, shifted by `shift`.
    Args(&'a Instruction, usize),
    /// A heredoc body starting at `line`.
    Body(usize),
    /// JSON form: no better position than the instruction's.
    Whole(&'a Instruction),
}

struct Script<'a> {
    text: String,
    origin: Origin<'a>,
    commands: Vec<Command>,
}

struct Checker<'a> {
    file: &'a Dockerfile,
    config: &'a Config,
    out: Vec<Raw>,
}

/// Lint one Dockerfile. `path` is how findings name the file.
pub fn lint(text: &str, path: &str, config: &Config) -> Vec<LintFinding> {
    let file = parser::parse(text);
    lint_parsed(&file, path, config)
}

pub fn lint_parsed(file: &Dockerfile, path: &str, config: &Config) -> Vec<LintFinding> {
    let mut checker = Checker {
        file,
        config,
        out: Vec::new(),
    };
    for error in &file.errors {
        checker.out.push(Raw {
            rule: &catalog::DL1000,
            span: error.span,
            instruction_line: error.span.start.line,
            message: error.message.clone(),
            suggestion: None,
            label: None,
        });
    }
    checker.run();
    finish(file, path, config, checker.out)
}

fn finish(file: &Dockerfile, path: &str, config: &Config, raws: Vec<Raw>) -> Vec<LintFinding> {
    let pragmas = Pragmas::of(file);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for raw in raws {
        let rule = raw.rule;
        let id = rule.info.id;
        if config.is_ignored(id) || !seen.insert((id, raw.span.start, raw.message.clone())) {
            continue;
        }
        let level = config.level.get(id).copied().unwrap_or_else(|| match rule.hadolint {
            Some(l) => Level::parse(l).unwrap_or(Level::Style),
            None => Level::of_severity(config.severity.get(id).copied().unwrap_or(rule.info.severity)),
        });
        if level == Level::Ignore {
            // hadolint's `ignore` level: the rule is off (DL1001 and DL3057 by default).
            continue;
        }
        let mut finding = Finding::from_rule(&rule.info, path, raw.message).with_evidence(
            format!("{path}:{}:{}", raw.span.start.line, raw.span.start.column),
            file.line_text(raw.span.start.line).trim().to_string(),
        );
        if let Some(severity) = config.severity.get(id) {
            finding.severity = *severity;
        }
        let hadolint_message =
            super::hadolint::message(id, raw.label.as_deref()).unwrap_or_else(|| finding.message.to_string());
        if !config.disable_ignore_pragma
            && let Some(reason) = pragmas.suppresses(id, raw.instruction_line)
        {
            finding.suppressed = Some(Box::new(Suppression {
                by: String::new(),
                reason,
                expires: None,
            }));
        }
        out.push(LintFinding {
            finding,
            file: path.to_string(),
            line: raw.span.start.line,
            column: raw.span.start.column,
            end_line: raw.span.end.line,
            end_column: raw.span.end.column,
            instruction_line: raw.instruction_line,
            hadolint_level: level.as_str(),
            hadolint_message,
            suggestion: raw.suggestion,
        });
    }
    out.sort_by(|a, b| {
        (a.line, a.column, &a.finding.rule_id, &a.finding.message).cmp(&(
            b.line,
            b.column,
            &b.finding.rule_id,
            &b.finding.message,
        ))
    });
    out
}

/// `# hadolint ignore=DL3008,DL3009` / `# vigie ignore=…` on the lines right
/// above an instruction, and `# hadolint global ignore=…` anywhere.
struct Pragmas {
    global: Vec<(String, usize)>,
    /// (instruction line, rule id, comment line)
    local: Vec<(usize, String, usize)>,
}

impl Pragmas {
    fn of(file: &Dockerfile) -> Pragmas {
        let mut global = Vec::new();
        let mut local = Vec::new();
        let starts: Vec<usize> = file.instructions.iter().map(|i| i.line()).collect();
        for comment in &file.comments {
            let text = comment.text.trim();
            let (is_global, ids) = if let Some(rest) = strip_tool(text) {
                let rest = rest.trim_start();
                match rest.strip_prefix("global") {
                    Some(r) => (true, r.trim_start().strip_prefix("ignore")),
                    None => (false, rest.strip_prefix("ignore")),
                }
            } else {
                continue;
            };
            let Some(ids) = ids.and_then(|r| r.trim_start().strip_prefix('=')) else {
                continue;
            };
            let ids: Vec<String> = ids
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .collect();
            if is_global {
                global.extend(ids.into_iter().map(|id| (id, comment.line)));
                continue;
            }
            // The next instruction after the comment (only comments and blank lines between).
            if let Some(&target) = starts.iter().find(|&&l| l > comment.line) {
                let between_ok = (comment.line + 1..target)
                    .all(|l| file.line_text(l).trim().is_empty() || file.line_text(l).trim_start().starts_with('#'));
                if between_ok {
                    local.extend(ids.into_iter().map(|id| (target, id, comment.line)));
                }
            }
        }
        Pragmas { global, local }
    }

    fn suppresses(&self, rule: &str, instruction_line: usize) -> Option<String> {
        if let Some((_, line)) = self.global.iter().find(|(id, _)| id == rule) {
            return Some(format!("global ignore comment at line {line}"));
        }
        self.local
            .iter()
            .find(|(target, id, _)| *target == instruction_line && id == rule)
            .map(|(_, _, line)| format!("ignore comment at line {line}"))
    }
}

fn strip_tool(text: &str) -> Option<&str> {
    text.strip_prefix("hadolint").or_else(|| text.strip_prefix("vigie"))
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "python", "python2", "python3", "perl", "ruby", "node", "php",
];

/// Per-stage state while walking the instructions.
#[derive(Default, Clone)]
struct StageState {
    name: Option<String>,
    /// The final stage, or a stage another stage is built FROM: its layers ship.
    ships: bool,
    pipefail: bool,
    posix_shell: bool,
    workdir: bool,
    /// (user, line) of the last USER.
    user: Option<(String, usize, Span)>,
    cmd: usize,
    entrypoint: usize,
    healthcheck: usize,
    pip_no_cache_env: bool,
    args: Vec<(String, Option<String>)>,
}

impl Checker<'_> {
    fn push(&mut self, rule: &'static LintRule, instruction: &Instruction, span: Span, message: impl Into<String>) {
        self.out.push(Raw {
            rule,
            span,
            instruction_line: instruction.line(),
            message: message.into(),
            suggestion: None,
            label: None,
        });
    }

    fn push_fix(
        &mut self,
        rule: &'static LintRule,
        instruction: &Instruction,
        span: Span,
        message: String,
        fix: Suggestion,
    ) {
        self.out.push(Raw {
            rule,
            span,
            instruction_line: instruction.line(),
            message,
            suggestion: Some(fix),
            label: None,
        });
    }

    fn keyword_span(&self, instruction: &Instruction) -> Span {
        let start = instruction.span.start;
        Span {
            start,
            end: Position {
                line: start.line,
                column: start.column + instruction.keyword_text.chars().count(),
            },
        }
    }

    /// The span of a whole instruction's first line (what hadolint points at).
    fn line_span(&self, instruction: &Instruction) -> Span {
        let start = instruction.span.start;
        Span {
            start,
            end: Position {
                line: start.line,
                column: self.file.line_text(start.line).chars().count() + 1,
            },
        }
    }

    fn run(&mut self) {
        let file = self.file;
        let stages = file.stages();
        let global_args = file.global_args();
        let final_index = stages.len().checked_sub(1);
        let mut states: Vec<StageState> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut current: Option<StageState> = None;
        let mut walk = more::Walk::default();
        let bases: HashSet<String> = stages.iter().map(|s| s.image.to_ascii_lowercase()).collect();
        self.check_pragmas();

        for (i, instruction) in file.instructions.iter().enumerate() {
            let posix_shell = current.as_ref().is_none_or(|s| s.posix_shell);
            self.check_walk(i, instruction, posix_shell, &mut walk);
            if instruction.keyword == Keyword::From {
                if let Some(done) = current.take() {
                    states.push(done);
                }
                let Some(stage) = stages.iter().find(|s| s.from == i) else {
                    continue;
                };
                let mut state = StageState {
                    name: stage.name.clone(),
                    ships: Some(stage.index) == final_index || stage.name.as_ref().is_some_and(|n| bases.contains(n)),
                    posix_shell: true,
                    ..StageState::default()
                };
                // A stage built FROM an earlier stage inherits its settings.
                if let Some(parent) = states
                    .iter()
                    .find(|s| s.name.as_deref() == Some(&stage.image.to_ascii_lowercase()))
                {
                    state.user = parent.user.clone();
                    state.workdir = parent.workdir;
                    state.pipefail = parent.pipefail;
                    state.posix_shell = parent.posix_shell;
                    state.pip_no_cache_env = parent.pip_no_cache_env;
                }
                self.check_from(instruction, stage, &global_args, &names);
                if let Some(name) = &stage.name {
                    if names.contains(name) {
                        let span = self.line_span(instruction);
                        self.push(
                            &catalog::DL3024,
                            instruction,
                            span,
                            format!("stage name '{name}' is already used by an earlier FROM"),
                        );
                    }
                    names.push(name.clone());
                }
                current = Some(state);
                continue;
            }
            let Some(state) = current.as_mut() else {
                // Before the first FROM (DL3061 says so when it is not an ARG).
                self.check_instruction(instruction, &mut StageState::default(), &names);
                continue;
            };
            let mut state_copy = std::mem::take(state);
            let (uses_wget, uses_curl) = self.check_instruction(instruction, &mut state_copy, &names);
            if let Some(state) = current.as_mut() {
                *state = state_copy;
            }
            self.note_fetchers(instruction, &mut walk, uses_wget, uses_curl);
        }
        if let Some(done) = current.take() {
            states.push(done);
        }
        self.flush_archives(&mut walk);
        let copied_from: HashSet<String> = file
            .instructions
            .iter()
            .filter_map(|i| i.flag("from").and_then(|f| f.value.as_deref()))
            .map(str::to_ascii_lowercase)
            .collect();
        let stage_labels: Vec<more::StageLabels> = stages
            .iter()
            .map(|stage| {
                let body = file.instructions.get(stage.from + 1..stage.end).unwrap_or(&[]);
                more::StageLabels {
                    from_index: stage.from,
                    name: stage.name.clone(),
                    base: stage.image.clone(),
                    labels: body
                        .iter()
                        .filter(|i| i.keyword == Keyword::Label)
                        .flat_map(|i| parser::key_values(i.rest()).into_iter().map(|(k, _)| k))
                        .collect(),
                    healthcheck: body.iter().any(|i| i.keyword == Keyword::Healthcheck),
                }
            })
            .collect();
        self.check_stage_labels(&stage_labels, &copied_from);
        if let Some(last) = states.last() {
            self.check_final_user(last);
        }
    }

    /// DL1001 (off by default): every inline ignore comment.
    fn check_pragmas(&mut self) {
        for comment in &self.file.comments {
            let Some(rest) = strip_tool(comment.text.trim()) else {
                continue;
            };
            if !rest.trim_start().starts_with("ignore") {
                continue;
            }
            let start = Position {
                line: comment.line,
                column: 1,
            };
            self.out.push(Raw {
                rule: &catalog::DL1001,
                span: Span {
                    start,
                    end: Position {
                        line: comment.line,
                        column: self.file.line_text(comment.line).chars().count() + 1,
                    },
                },
                instruction_line: comment.line,
                message: "inline ignore comment".to_string(),
                suggestion: None,
                label: None,
            });
        }
    }

    fn check_final_user(&mut self, state: &StageState) {
        let file = self.file;
        let stages = file.stages();
        let Some(stage) = stages.last() else { return };
        let from = &file.instructions[stage.from];
        let nonroot_base = stage
            .image
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(":nonroot") || last.contains("-nonroot"));
        match &state.user {
            None if nonroot_base => {}
            None => {
                let span = self.line_span(from);
                self.push(
                    &catalog::VGI_DF_010,
                    from,
                    span,
                    format!(
                        "the final stage (FROM {}) sets no USER: containers run as the base image's user, root for most images",
                        stage.image
                    ),
                );
            }
            Some((user, line, span)) if vigie_snapshot::is_root_user(user) => {
                let Some(instruction) = file.instructions.iter().find(|i| i.line() == *line) else {
                    return;
                };
                let message = if *line < from.line() {
                    format!("the final stage inherits USER {user} from the stage it is built from (line {line})")
                } else {
                    format!("the final stage switches to USER {user} and never back: containers run as root")
                };
                self.push(&catalog::DL3002, instruction, *span, message);
            }
            _ => {}
        }
    }

    fn check_from(
        &mut self,
        instruction: &Instruction,
        stage: &parser::Stage,
        global_args: &[(String, Option<String>)],
        names: &[String],
    ) {
        let image_raw = stage.image.as_str();
        if image_raw.is_empty() {
            return;
        }
        let lookup = |name: &str| global_args.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.clone());
        let (image, unknown) = parser::expand(image_raw, &lookup);
        let offset = instruction.rest_offset + instruction.rest().find(image_raw).unwrap_or(0);
        let span = self.file.span_of(instruction, offset, image_raw.len());
        if unknown
            || image.is_empty()
            || image.eq_ignore_ascii_case("scratch")
            || names.contains(&image.to_ascii_lowercase())
        {
            return;
        }
        let (name_part, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image.as_str(), None),
        };
        let last = name_part.rsplit('/').next().unwrap_or(name_part);
        let tag = last.split_once(':').map(|(_, t)| t);
        if digest.is_none() {
            match tag {
                None => self.push(
                    &catalog::DL3006,
                    instruction,
                    span,
                    format!("image '{image}' has no tag: it means whatever 'latest' is on build day"),
                ),
                Some("latest") => self.push(
                    &catalog::DL3007,
                    instruction,
                    span,
                    format!("image '{image}' uses the 'latest' tag"),
                ),
                Some(_) => {}
            }
            self.push(
                &catalog::VGI_DF_009,
                instruction,
                span,
                format!("image '{image}' is not pinned by digest"),
            );
        }
        if !self.config.trusted_registries.is_empty() {
            let first = name_part.split('/').next().unwrap_or("");
            let registry =
                if name_part.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
                    first.to_string()
                } else {
                    "docker.io".to_string()
                };
            let trusted = self.config.trusted_registries.iter().any(|r| {
                r.eq_ignore_ascii_case(&registry)
                    || (registry == "docker.io"
                        && (r == "hub.docker.com" || r == "index.docker.io" || r == "registry-1.docker.io"))
            });
            if !trusted {
                self.push(
                    &catalog::DL3026,
                    instruction,
                    span,
                    format!("registry '{registry}' of image '{image}' is not in the trusted registries"),
                );
            }
        }
    }

    /// Returns (uses wget, uses curl).
    fn check_instruction(
        &mut self,
        instruction: &Instruction,
        state: &mut StageState,
        names: &[String],
    ) -> (bool, bool) {
        let file = self.file;
        let rest = instruction.rest();
        match instruction.keyword {
            Keyword::Onbuild => {
                if let Some(trigger) = &instruction.trigger {
                    let mut scratch = state.clone();
                    return self.check_instruction(trigger, &mut scratch, names);
                }
            }
            Keyword::Run => return self.check_run(instruction, state),
            Keyword::User => {
                let words = parser::split_words(rest);
                if let Some((user, start, end)) = words.first() {
                    let lookup = |name: &str| {
                        state
                            .args
                            .iter()
                            .rev()
                            .find(|(n, _)| n == name)
                            .and_then(|(_, v)| v.clone())
                    };
                    let (expanded, unknown) = parser::expand(user, &lookup);
                    let value = if unknown { user.clone() } else { expanded };
                    let span = file.span_of(instruction, instruction.rest_offset + start, end - start);
                    state.user = Some((value, instruction.line(), span));
                }
            }
            Keyword::Workdir => {
                state.workdir = true;
                let words = parser::split_words(rest);
                if let Some((dir, start, end)) = words.first() {
                    let absolute = dir.starts_with('/')
                        || dir.starts_with('$')
                        || dir.as_bytes().get(1) == Some(&b':')
                        || dir.starts_with('\\');
                    if !absolute {
                        let span = file.span_of(instruction, instruction.rest_offset + start, end - start);
                        self.push(
                            &catalog::DL3000,
                            instruction,
                            span,
                            format!("WORKDIR '{dir}' is relative"),
                        );
                    }
                }
            }
            Keyword::Shell => {
                if let Form::Json(items) = &instruction.form {
                    let program = items
                        .first()
                        .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_ascii_lowercase())
                        .unwrap_or_default();
                    state.posix_shell = SHELLS.iter().any(|s| program == *s || program == format!("{s}.exe"));
                    state.pipefail = sets_pipefail(items.iter().map(String::as_str));
                }
            }
            Keyword::Cmd | Keyword::Entrypoint => {
                let (count, rule) = if instruction.keyword == Keyword::Cmd {
                    state.cmd += 1;
                    (state.cmd, &catalog::DL4003)
                } else {
                    state.entrypoint += 1;
                    (state.entrypoint, &catalog::DL4004)
                };
                let span = self.line_span(instruction);
                if count > 1 {
                    self.push(
                        rule,
                        instruction,
                        span,
                        format!(
                            "{} appears {count} times in this stage; only the last one counts",
                            instruction.keyword.as_str()
                        ),
                    );
                }
                if matches!(instruction.form, Form::Shell) && !rest.trim().is_empty() {
                    self.push(
                        &catalog::DL3025,
                        instruction,
                        span,
                        format!(
                            "{} uses the shell form: the program will not receive SIGTERM",
                            instruction.keyword.as_str()
                        ),
                    );
                }
            }
            Keyword::Healthcheck => {
                state.healthcheck += 1;
                if state.healthcheck > 1 {
                    let span = self.line_span(instruction);
                    self.push(
                        &catalog::DL3012,
                        instruction,
                        span,
                        format!("HEALTHCHECK appears {} times in this stage", state.healthcheck),
                    );
                }
            }
            Keyword::Maintainer => {
                let span = self.line_span(instruction);
                let value = rest.trim().replace('\\', "\\\\").replace('"', "\\\"");
                let fix = Suggestion {
                    description: "replace MAINTAINER with a maintainer label".to_string(),
                    span: Span {
                        start: instruction.span.start,
                        end: span.end,
                    },
                    replacement: format!("LABEL maintainer=\"{value}\""),
                };
                self.push_fix(
                    &catalog::DL4000,
                    instruction,
                    span,
                    "MAINTAINER is deprecated".to_string(),
                    fix,
                );
            }
            Keyword::Expose => {
                for (word, start, end) in parser::split_words(rest) {
                    let port = word.split('/').next().unwrap_or("");
                    if port.contains('$') {
                        continue;
                    }
                    let span = file.span_of(instruction, instruction.rest_offset + start, end - start);
                    let bounds: Vec<Option<u64>> = port.split('-').map(|p| p.parse::<u64>().ok()).collect();
                    if bounds.iter().any(|b| b.is_none_or(|p| p > 65535)) {
                        self.push(
                            &catalog::DL3011,
                            instruction,
                            span,
                            format!("'{word}' is not a valid port (0-65535)"),
                        );
                        continue;
                    }
                    for (p, what) in [(22, "ssh"), (23, "telnet"), (2375, "the Docker API without TLS")] {
                        let covers = match bounds.as_slice() {
                            [Some(a)] => *a == p,
                            [Some(a), Some(b)] => *a <= p && p <= *b,
                            _ => false,
                        };
                        if covers {
                            self.push(
                                &catalog::VGI_DF_005,
                                instruction,
                                span,
                                format!("EXPOSE {word}: port {p} is {what}"),
                            );
                        }
                    }
                }
            }
            Keyword::Env | Keyword::Arg => {
                let pairs = parser::key_values(rest);
                if instruction.keyword == Keyword::Arg {
                    state.args.extend(pairs.iter().cloned());
                }
                for (name, value) in &pairs {
                    if instruction.keyword == Keyword::Env && name == "PIP_NO_CACHE_DIR" {
                        state.pip_no_cache_env = value
                            .as_deref()
                            .is_some_and(|v| !matches!(v, "0" | "false" | "off" | "no" | ""));
                    }
                    let offset = instruction.rest_offset + rest.find(name.as_str()).unwrap_or(0);
                    let span = file.span_of(instruction, offset, name.len());
                    // A value that is an absolute path points at a secret (a
                    // mounted file), like the `_FILE` names do.
                    let points_at_file = value.as_deref().is_some_and(|v| v.starts_with('/'));
                    if crate::secrets::is_secret_name(name) && !points_at_file {
                        self.push(
                            &catalog::DL3064,
                            instruction,
                            span,
                            format!("{} {name} looks like it holds a secret", instruction.keyword.as_str()),
                        );
                    }
                    if let Some(kind) = value
                        .as_deref()
                        .and_then(crate::secrets::secret_value_kind)
                        .map(|k| k.with_article())
                    {
                        self.push(
                            &catalog::VGI_DF_002,
                            instruction,
                            span,
                            format!("{} {name} holds what looks like {kind}", instruction.keyword.as_str()),
                        );
                    }
                }
            }
            Keyword::Copy | Keyword::Add => self.check_copy(instruction, state, names),
            _ => {}
        }
        (false, false)
    }

    fn check_copy(&mut self, instruction: &Instruction, state: &StageState, names: &[String]) {
        let file = self.file;
        let rest = instruction.rest();
        let is_add = instruction.keyword == Keyword::Add;
        let words: Vec<(String, usize, usize)> = match &instruction.form {
            Form::Json(items) => items.iter().map(|s| (s.clone(), 0, 0)).collect(),
            Form::Shell => parser::split_fields(rest),
        };
        if words.len() < 2 {
            return;
        }
        let (sources, dest) = words.split_at(words.len() - 1);
        let dest = &dest[0].0;
        let span_of = |w: &(String, usize, usize)| {
            if w.2 > w.1 {
                file.span_of(instruction, instruction.rest_offset + w.1, w.2 - w.1)
            } else {
                Span {
                    start: instruction.span.start,
                    end: instruction.span.start,
                }
            }
        };
        let line_span = self.line_span(instruction);
        if !is_add && sources.len() > 1 && !dest.ends_with('/') && !dest.contains('$') {
            self.push(
                &catalog::DL3021,
                instruction,
                line_span,
                format!(
                    "COPY of {} sources needs a destination ending in '/', found '{dest}'",
                    sources.len()
                ),
            );
        }
        let from = instruction.flag("from").and_then(|f| f.value.clone());
        if let Some(from) = &from {
            let lower = from.to_ascii_lowercase();
            if state.name.as_deref() == Some(lower.as_str()) {
                self.push(
                    &catalog::DL3023,
                    instruction,
                    line_span,
                    format!("COPY --from={from} references its own stage"),
                );
            } else if lower.parse::<usize>().is_err() && !names.contains(&lower) && !from.contains([':', '/', '@', '$'])
            {
                self.push(
                    &catalog::DL3022,
                    instruction,
                    line_span,
                    format!("COPY --from={from} names no earlier stage (it will be pulled as an image)"),
                );
            }
        }
        if !is_add
            && !dest.starts_with('/')
            && !dest.starts_with('$')
            && dest.as_bytes().get(1) != Some(&b':')
            && !state.workdir
        {
            self.push(
                &catalog::DL3045,
                instruction,
                line_span,
                format!("COPY to the relative destination '{dest}' without a WORKDIR in this stage"),
            );
        }
        for source in sources {
            let s = source.0.as_str();
            if s.starts_with("<<") {
                continue;
            }
            if from.is_none()
                && let Some(what) = crate::secrets::secret_file_kind(s)
            {
                self.push(
                    &catalog::VGI_DF_006,
                    instruction,
                    span_of(source),
                    format!("{} of '{s}': {what}", instruction.keyword.as_str()),
                );
            }
        }
        if is_add {
            let remote: Vec<&(String, usize, usize)> = sources.iter().filter(|s| is_url(&s.0)).collect();
            if instruction.flag("checksum").is_none() {
                for source in &remote {
                    if source.0.starts_with("http://") || source.0.starts_with("https://") {
                        self.push(
                            &catalog::VGI_DF_007,
                            instruction,
                            span_of(source),
                            format!("ADD of '{}' without --checksum", source.0),
                        );
                    }
                }
            }
            let all_plain = sources
                .iter()
                .all(|s| !is_url(&s.0) && !is_archive(&s.0) && !s.0.contains('$'));
            if all_plain {
                let kw = self.keyword_span(instruction);
                let fix = Suggestion {
                    description: "use COPY".to_string(),
                    span: kw,
                    replacement: "COPY".to_string(),
                };
                self.push_fix(
                    &catalog::DL3020,
                    instruction,
                    line_span,
                    "ADD of local files: use COPY".to_string(),
                    fix,
                );
            }
        }
    }

    /// The scripts a RUN executes: the command line and the heredoc bodies run by a shell.
    fn scripts<'a>(&self, instruction: &'a Instruction) -> Vec<Script<'a>> {
        let mut scripts = Vec::new();
        match &instruction.form {
            Form::Json(items) => {
                let program = items.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or("");
                let text = if SHELLS.contains(&program) {
                    match items.iter().position(|a| a.starts_with('-') && a.contains('c')) {
                        Some(i) => items.get(i + 1).cloned().unwrap_or_default(),
                        None => String::new(),
                    }
                } else {
                    items.iter().map(|s| shell_quote(s)).collect::<Vec<_>>().join(" ")
                };
                let commands = shell::parse(&text);
                scripts.push(Script {
                    text,
                    origin: Origin::Whole(instruction),
                    commands,
                });
            }
            Form::Shell => {
                let text = instruction.rest().to_string();
                let commands = shell::parse(&text);
                let runs_body = commands.is_empty()
                    || commands
                        .iter()
                        .all(|c| SHELLS.contains(&c.name()) && !c.args().iter().any(|a| !a.text.starts_with('-')));
                scripts.push(Script {
                    text,
                    origin: Origin::Args(instruction, instruction.rest_offset),
                    commands,
                });
                if runs_body {
                    for heredoc in &instruction.heredocs {
                        let first = heredoc.body.lines().next().unwrap_or("");
                        if first.starts_with("#!")
                            && !SHELLS
                                .iter()
                                .any(|s| first.ends_with(&format!("/{s}")) || first.ends_with(&format!(" {s}")))
                        {
                            continue;
                        }
                        scripts.push(Script {
                            text: heredoc.body.clone(),
                            origin: Origin::Body(heredoc.body_line),
                            commands: shell::parse(&heredoc.body),
                        });
                    }
                }
            }
        }
        scripts
    }

    fn position(&self, script: &Script, offset: usize) -> Position {
        match script.origin {
            Origin::Args(instruction, shift) => self.file.position(instruction, shift + offset),
            Origin::Body(line) => {
                let mut offset = offset.min(script.text.len());
                while !script.text.is_char_boundary(offset) {
                    offset -= 1;
                }
                let before = &script.text[..offset];
                let line_index = before.matches('\n').count();
                let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                let line = line + line_index;
                // The body may have had tabs stripped (`<<-`): count from the line's end.
                let body_line = script.text[line_start..].split('\n').next().unwrap_or("");
                let physical = self.file.line_text(line);
                let lead = physical.len().saturating_sub(body_line.len());
                Position {
                    line,
                    column: self.file.column(line, lead + offset - line_start),
                }
            }
            Origin::Whole(instruction) => instruction.span.start,
        }
    }

    fn word_span(&self, script: &Script, word: &Word) -> Span {
        if let Origin::Whole(instruction) = script.origin {
            return self.line_span(instruction);
        }
        let start = self.position(script, word.start);
        let end = self.position(script, word.end.saturating_sub(1).max(word.start));
        Span {
            start,
            end: Position {
                line: end.line,
                column: end.column + 1,
            },
        }
    }

    fn command_span(&self, script: &Script, command: &Command) -> Span {
        match (command.words.first(), command.words.last()) {
            (Some(first), Some(last)) => {
                let a = self.word_span(script, first);
                let b = self.word_span(script, last);
                Span {
                    start: a.start,
                    end: b.end,
                }
            }
            _ => self.word_span(
                script,
                &Word {
                    text: String::new(),
                    start: command.offset,
                    end: command.offset + 1,
                    quoted: false,
                    substitutions: Vec::new(),
                },
            ),
        }
    }

    /// An insertion right after a word.
    fn insert_after(&self, script: &Script, word: &Word, text: &str, description: &str) -> Option<Suggestion> {
        if matches!(script.origin, Origin::Whole(_)) {
            return None;
        }
        let end = self.word_span(script, word).end;
        Some(Suggestion {
            description: description.to_string(),
            span: Span { start: end, end },
            replacement: format!(" {text}"),
        })
    }

    fn check_run(&mut self, instruction: &Instruction, state: &StageState) -> (bool, bool) {
        let scripts = self.scripts(instruction);
        let mounts: Vec<String> = instruction
            .flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("mount"))
            .filter_map(|f| f.value.clone())
            .collect();
        let cached = |dir: &str| {
            mounts.iter().any(|m| {
                (m.contains("type=cache") || m.contains("type=tmpfs"))
                    && m.split(',').any(|kv| {
                        matches!(kv.split_once('='), Some(("target" | "dst" | "destination", t)) if t.trim_end_matches('/') == dir || dir.starts_with(&format!("{}/", t.trim_end_matches('/'))))
                    })
            })
        };
        let (mut uses_wget, mut uses_curl) = (false, false);
        let mut apt_update = false;
        let mut apt_lists_removed = false;
        let mut update_span = None;
        let mut sudo_seen = HashSet::new();
        for script in &scripts {
            let mut pipefail_inline = false;
            let mut reported_pipe = false;
            for (ci, command) in script.commands.iter().enumerate() {
                let name = command.name();
                let span = self.command_span(script, command);
                if let Some(offset) = command.sudo
                    && sudo_seen.insert(offset)
                {
                    let w = Word {
                        text: "sudo".into(),
                        start: offset,
                        end: offset + 4,
                        quoted: false,
                        substitutions: Vec::new(),
                    };
                    let span = self.word_span(script, &w);
                    self.push(&catalog::DL3004, instruction, span, format!("sudo runs '{name}'"));
                }
                if name == "set" && sets_pipefail(command.args().iter().map(|w| w.text.as_str())) {
                    pipefail_inline = true;
                }
                if command.stages > 1 && !reported_pipe && state.posix_shell && !state.pipefail && !pipefail_inline {
                    reported_pipe = true;
                    let last = script.commands[ci..]
                        .iter()
                        .filter(|c| c.pipeline == command.pipeline)
                        .map(|c| c.name().to_string())
                        .collect::<Vec<_>>()
                        .join(" | ");
                    self.push(
                        &catalog::DL4006,
                        instruction,
                        self.line_span(instruction),
                        format!("RUN pipes '{last}' without pipefail: a failure before the last command is ignored"),
                    );
                }
                match name {
                    "wget" => uses_wget = true,
                    "curl" => uses_curl = true,
                    "cd" => self.push(&catalog::DL3003, instruction, span, "cd in RUN: use WORKDIR"),
                    "ssh" | "vim" | "shutdown" | "service" | "ps" | "free" | "top" | "kill" | "mount" | "ifconfig" => {
                        self.push(
                            &catalog::DL3001,
                            instruction,
                            span,
                            format!("'{name}' makes no sense in a container build"),
                        );
                    }
                    "chmod" => self.check_chmod(instruction, script, command),
                    _ => {}
                }
                self.check_pipe_to_shell(instruction, script, command);
                if matches!(name, "apt-get" | "apt") {
                    if name == "apt" {
                        let s = self.word_span(script, &command.words[0]);
                        self.push(&catalog::DL3027, instruction, s, "apt is meant for people: use apt-get");
                    }
                    let sub = first_operand(
                        command,
                        &[
                            "-o",
                            "-t",
                            "-c",
                            "--option",
                            "--target-release",
                            "--default-release",
                            "--config-file",
                        ],
                    );
                    match sub.as_deref() {
                        Some("update") => {
                            apt_update = true;
                            update_span.get_or_insert(span);
                        }
                        Some("install") => self.check_apt_install(instruction, script, command),
                        // `apt-get dist-clean` (apt ≥ 2.7) removes the lists too.
                        Some("dist-clean") => apt_lists_removed = true,
                        Some("upgrade" | "dist-upgrade" | "full-upgrade") => {
                            self.push(
                                &catalog::VGI_DF_008,
                                instruction,
                                span,
                                format!("{name} {} in the build", sub.unwrap_or_default()),
                            );
                        }
                        _ => {}
                    }
                }
                if name == "rm" && command.args().iter().any(|a| a.text.starts_with("/var/lib/apt/lists")) {
                    apt_lists_removed = true;
                }
                if name == "apk" {
                    self.check_apk(instruction, script, command, &cached);
                }
                if is_pip(command) {
                    self.check_pip(instruction, script, command, state, &cached);
                }
                if name == "npm" {
                    self.check_npm(instruction, script, command);
                }
                if name == "gem" {
                    self.check_gem(instruction, script, command);
                }
                if matches!(name, "yum" | "dnf" | "microdnf") {
                    self.check_rpm(instruction, script, command);
                }
                if name == "zypper" {
                    self.check_zypper(instruction, script, command);
                }
            }
        }
        if apt_update
            && !apt_lists_removed
            && state.ships
            && !cached("/var/lib/apt/lists")
            && let Some(span) = update_span
        {
            self.push(
                &catalog::DL3009,
                instruction,
                span,
                "apt-get update without removing /var/lib/apt/lists in the same RUN",
            );
        }
        self.check_run_more(instruction, &scripts, &cached, state.ships);
        (uses_wget, uses_curl)
    }

    fn check_pipe_to_shell(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let name = command.name();
        if !INTERPRETERS.contains(&name) {
            return;
        }
        let fetches = |text: &str| shell::parse(text).iter().any(|c| matches!(c.name(), "curl" | "wget"));
        // `curl … | sh`: an earlier stage of the same pipeline downloads, the interpreter reads stdin.
        let reads_stdin = command
            .args()
            .iter()
            .all(|a| a.text.starts_with('-') && a.text != "-c" && !a.text.contains('c') || a.text == "-")
            || command.args().iter().any(|a| a.text == "-s" || a.text == "-");
        let piped = command.stage > 0
            && reads_stdin
            && script.commands.iter().any(|c| {
                c.pipeline == command.pipeline && c.stage < command.stage && matches!(c.name(), "curl" | "wget")
            });
        // `sh -c "$(curl …)"`, `bash <(curl …)`.
        let substituted = command
            .args()
            .iter()
            .any(|a| a.substitutions.iter().any(|(inner, _)| fetches(inner)));
        if piped || substituted {
            let span = self.command_span(script, command);
            let how = if piped { "piped into" } else { "substituted into" };
            self.push(
                &catalog::VGI_DF_003,
                instruction,
                span,
                format!("a downloaded script is {how} '{name}' without verification"),
            );
        }
    }

    fn check_chmod(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let recursive = command.has_option(Some('R'), &["--recursive"]);
        for word in command.args() {
            let mode = word.text.as_str();
            if mode.starts_with('-') && !mode.contains(['+', '=']) {
                continue;
            }
            let world_writable = if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| c.is_digit(8)) {
                let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
                let other = digits.last().copied().unwrap_or(0);
                let sticky = digits.len() == 4 && digits[0] & 1 == 1;
                other & 2 == 2 && !sticky
            } else {
                mode.split(',').any(|clause| {
                    let who_end = clause.find(['+', '=', '-']).unwrap_or(clause.len());
                    let (who, action) = clause.split_at(who_end);
                    // A sticky world-writable directory (`a+rwxt`, like /tmp) is the safe idiom.
                    (who.contains('o') || who.contains('a'))
                        && (action.starts_with('+') || action.starts_with('='))
                        && action.contains('w')
                        && !action.contains('t')
                })
            };
            if world_writable {
                let span = self.word_span(script, word);
                let r = if recursive { " recursively" } else { "" };
                self.push(
                    &catalog::VGI_DF_004,
                    instruction,
                    span,
                    format!("chmod {mode}{r} makes files writable by every user"),
                );
            }
            break;
        }
    }

    fn check_apt_install(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let valued = [
            "-o",
            "-t",
            "-c",
            "--option",
            "--target-release",
            "--default-release",
            "--config-file",
        ];
        let packages = operands_after(command, "install", &valued);
        let name = command.name();
        let span = self.command_span(script, command);
        let install_word = command.args().iter().find(|w| w.text == "install");
        for word in &packages {
            let p = word.text.as_str();
            let pinned = p.contains('=') || p.ends_with(".deb") || p.starts_with('/') || p.starts_with("./");
            if !pinned {
                let s = self.word_span(script, word);
                self.push(
                    &catalog::DL3008,
                    instruction,
                    s,
                    format!("{name} install of '{p}' without a version"),
                );
            }
        }
        let q_count: usize = command
            .args()
            .iter()
            .map(|w| match w.text.as_str() {
                "--quiet" => 1,
                "-q=2" | "--quiet=2" => 2,
                t if t.starts_with('-') && !t.starts_with("--") => t.matches('q').count(),
                _ => 0,
            })
            .sum();
        let yes = command.has_option(Some('y'), &["--yes", "--assume-yes", "--force-yes"]) || q_count >= 2;
        if !yes {
            let fix = install_word.and_then(|w| self.insert_after(script, w, "-y", "add -y"));
            self.out.push(Raw {
                rule: &catalog::DL3014,
                span,
                instruction_line: instruction.line(),
                message: format!("{name} install without -y"),
                suggestion: fix,
                label: None,
            });
        }
        let no_recommends = command.has_option(None, &["--no-install-recommends"])
            || command
                .args()
                .windows(2)
                .any(|w| w[0].text == "-o" && is_recommends_off(&w[1].text))
            || command
                .args()
                .iter()
                .any(|w| w.text.strip_prefix("-o").is_some_and(is_recommends_off));
        if !no_recommends {
            let fix = install_word
                .and_then(|w| self.insert_after(script, w, "--no-install-recommends", "add --no-install-recommends"));
            self.out.push(Raw {
                rule: &catalog::DL3015,
                span,
                instruction_line: instruction.line(),
                message: format!("{name} install without --no-install-recommends"),
                suggestion: fix,
                label: None,
            });
        }
    }

    fn check_apk(
        &mut self,
        instruction: &Instruction,
        script: &Script,
        command: &Command,
        cached: &dyn Fn(&str) -> bool,
    ) {
        let sub = first_operand(
            command,
            &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "--cache-dir",
                "--keys-dir",
            ],
        );
        match sub.as_deref() {
            Some("add") => {
                let valued = [
                    "-t",
                    "--virtual",
                    "-X",
                    "--repository",
                    "-p",
                    "--root",
                    "--arch",
                    "--cache-dir",
                    "--keys-dir",
                ];
                let packages = operands_after(command, "add", &valued);
                for word in &packages {
                    let p = word.text.as_str();
                    if !(p.contains(['=', '~', '<', '>']) || p.ends_with(".apk")) {
                        let s = self.word_span(script, word);
                        self.push(
                            &catalog::DL3018,
                            instruction,
                            s,
                            format!("apk add of '{p}' without a version"),
                        );
                    }
                }
                if !command.has_option(None, &["--no-cache"]) && !cached("/var/cache/apk") && !packages.is_empty() {
                    let add = command.args().iter().find(|w| w.text == "add");
                    let fix = add.and_then(|w| self.insert_after(script, w, "--no-cache", "add --no-cache"));
                    let span = self.command_span(script, command);
                    self.out.push(Raw {
                        rule: &catalog::DL3019,
                        span,
                        instruction_line: instruction.line(),
                        message: "apk add without --no-cache".to_string(),
                        suggestion: fix,
                        label: None,
                    });
                }
            }
            Some("upgrade") => {
                let span = self.command_span(script, command);
                self.push(&catalog::VGI_DF_008, instruction, span, "apk upgrade in the build");
            }
            _ => {}
        }
    }

    fn check_pip(
        &mut self,
        instruction: &Instruction,
        script: &Script,
        command: &Command,
        state: &StageState,
        cached: &dyn Fn(&str) -> bool,
    ) {
        let valued = [
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "--src",
            "--upgrade-strategy",
            "--progress-bar",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--trusted-host",
            "--cache-dir",
            "--log",
            "--proxy",
            "--timeout",
            "--retries",
            "--no-binary",
            "--only-binary",
            "-C",
            "--config-settings",
            "--global-option",
            "--install-option",
            "--report",
            "--python",
        ];
        let Some(install_at) = command.args().iter().position(|w| w.text == "install") else {
            return;
        };
        let before_install = &command.args()[..install_at];
        if before_install
            .iter()
            .any(|w| !w.text.starts_with('-') && w.text != "pip" && w.text != "-m")
        {
            // `python script.py install`: not pip.
            if !before_install.iter().any(|w| w.text == "pip") && command.name().starts_with("python") {
                return;
            }
        }
        let packages = operands_after(command, "install", &valued);
        for word in &packages {
            let p = word.text.as_str();
            if !pip_pinned(p) {
                let s = self.word_span(script, word);
                self.push(
                    &catalog::DL3013,
                    instruction,
                    s,
                    format!("pip install of '{p}' without a version"),
                );
            }
        }
        let has_input = !packages.is_empty()
            || command
                .args()
                .iter()
                .any(|w| matches!(w.text.as_str(), "-r" | "--requirement" | "-e" | "--editable"));
        let no_cache = command.has_option(None, &["--no-cache-dir"])
            || state.pip_no_cache_env
            || cached("/root/.cache/pip")
            || cached("/root/.cache");
        if !no_cache && has_input {
            let install = &command.args()[install_at];
            let fix = self.insert_after(script, install, "--no-cache-dir", "add --no-cache-dir");
            let span = self.command_span(script, command);
            self.out.push(Raw {
                rule: &catalog::DL3042,
                span,
                instruction_line: instruction.line(),
                message: "pip install without --no-cache-dir".to_string(),
                suggestion: fix,
                label: None,
            });
        }
    }

    fn check_npm(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let sub = first_operand(command, &["--prefix", "--registry", "--cache", "-C"]);
        if !matches!(sub.as_deref(), Some("install" | "i" | "add" | "isntall")) {
            return;
        }
        let word = sub.unwrap_or_default();
        for w in operands_after(
            command,
            &word,
            &["--prefix", "--registry", "--cache", "-C", "--omit", "--include"],
        ) {
            let p = w.text.as_str();
            let versioned = p.get(1..).is_some_and(|r| r.contains('@'));
            let local = p.starts_with('.')
                || p.starts_with('/')
                || p.starts_with('~')
                || p.ends_with(".tgz")
                || p.ends_with(".tar.gz");
            let git = p.contains("://") || p.starts_with("git+") || p.starts_with("github:");
            let git_pinned = git && p.contains('#');
            if !(versioned || local || git_pinned) {
                let s = self.word_span(script, &w);
                self.push(
                    &catalog::DL3016,
                    instruction,
                    s,
                    format!("npm install of '{p}' without a version"),
                );
            }
        }
    }

    fn check_gem(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        if first_operand(command, &[]).as_deref() != Some("install") {
            return;
        }
        if command.has_option(Some('v'), &["--version"]) {
            return;
        }
        let valued = [
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "-s",
            "--source",
            "-P",
            "--trust-policy",
            "--platform",
        ];
        for w in operands_after(command, "install", &valued) {
            let p = w.text.as_str();
            if !p.contains(':') && !p.ends_with(".gem") {
                let s = self.word_span(script, &w);
                self.push(
                    &catalog::DL3028,
                    instruction,
                    s,
                    format!("gem install of '{p}' without a version"),
                );
            }
        }
    }

    fn check_rpm(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let name = command.name();
        let valued = [
            "--setopt",
            "--enablerepo",
            "--disablerepo",
            "-c",
            "--config",
            "--installroot",
            "--releasever",
            "-x",
            "--exclude",
            "--repo",
            "--repofrompath",
        ];
        let sub = first_operand(command, &valued);
        let (pin_rule, yes_rule) = if name == "yum" {
            (&catalog::DL3033, &catalog::DL3030)
        } else {
            (&catalog::DL3041, &catalog::DL3038)
        };
        match sub.as_deref() {
            Some("install" | "groupinstall" | "localinstall") => {
                let sub = sub.unwrap_or_default();
                let packages = operands_after(command, &sub, &valued);
                if sub == "install" {
                    for w in &packages {
                        let p = w.text.as_str();
                        let pinned =
                            p.ends_with(".rpm") || has_dash_digit(p) || p.starts_with('/') || p.starts_with('@');
                        if !pinned {
                            let s = self.word_span(script, w);
                            self.push(
                                pin_rule,
                                instruction,
                                s,
                                format!("{name} install of '{p}' without a version"),
                            );
                        }
                    }
                }
                if name != "microdnf" && !command.has_option(Some('y'), &["--assumeyes"]) && !packages.is_empty() {
                    let span = self.command_span(script, command);
                    let install = command.args().iter().find(|w| w.text == sub);
                    let fix = install.and_then(|w| self.insert_after(script, w, "-y", "add -y"));
                    self.out.push(Raw {
                        rule: yes_rule,
                        span,
                        instruction_line: instruction.line(),
                        message: format!("{name} {sub} without -y"),
                        suggestion: fix,
                        label: None,
                    });
                }
            }
            Some("update" | "upgrade" | "distro-sync")
                if command.args().iter().filter(|w| !w.text.starts_with('-')).count() == 1 =>
            {
                let span = self.command_span(script, command);
                self.push(
                    &catalog::VGI_DF_008,
                    instruction,
                    span,
                    format!("{name} {} of every package in the build", sub.unwrap_or_default()),
                );
            }
            _ => {}
        }
    }

    fn check_zypper(&mut self, instruction: &Instruction, script: &Script, command: &Command) {
        let valued = ["--root", "-R", "--config", "-c", "-r", "--repo", "--from"];
        let sub = first_operand(command, &valued);
        if !matches!(sub.as_deref(), Some("install" | "in")) {
            return;
        }
        let sub = sub.unwrap_or_default();
        let packages = operands_after(command, &sub, &valued);
        for w in &packages {
            let p = w.text.as_str();
            if !(p.contains(['=', '<', '>']) || p.ends_with(".rpm")) {
                let s = self.word_span(script, w);
                self.push(
                    &catalog::DL3037,
                    instruction,
                    s,
                    format!("zypper install of '{p}' without a version"),
                );
            }
        }
        let interactive = !command.has_option(Some('n'), &["--non-interactive", "--no-confirm"])
            && !command.has_option(Some('y'), &[]);
        if interactive && !packages.is_empty() {
            let span = self.command_span(script, command);
            self.push(&catalog::DL3034, instruction, span, format!("zypper {sub} without -n"));
        }
    }
}

fn is_recommends_off(option: &str) -> bool {
    let lower = option.to_ascii_lowercase();
    lower.starts_with("apt::install-recommends=")
        && matches!(lower.rsplit('=').next(), Some("false" | "0" | "no" | "off"))
}

fn has_dash_digit(p: &str) -> bool {
    p.as_bytes().windows(2).any(|w| w[0] == b'-' && w[1].is_ascii_digit())
}

fn is_pip(command: &Command) -> bool {
    let name = command.name();
    let pip_name = name
        .strip_prefix("pip")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let python_m = name.starts_with("python")
        && command
            .args()
            .windows(2)
            .any(|w| w[0].text == "-m" && w[1].text == "pip");
    pip_name || python_m
}

fn pip_pinned(p: &str) -> bool {
    if p.starts_with('.') || p.starts_with('/') || p.starts_with('~') {
        return true;
    }
    if [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|e| p.ends_with(e))
    {
        return true;
    }
    if p.contains("://") {
        // A VCS URL is pinned by `@ref`.
        let after_scheme = p.split_once("://").map(|(_, r)| r).unwrap_or(p);
        return after_scheme.contains('@');
    }
    p.contains("==")
        || p.contains(">=")
        || p.contains("<=")
        || p.contains("~=")
        || p.contains("!=")
        || p.contains('<')
        || p.contains('>')
        || p.contains('@')
}

/// `set -o pipefail`, `set -eo pipefail`, `bash -o pipefail -c`…
fn sets_pipefail<'a>(args: impl Iterator<Item = &'a str>) -> bool {
    let args: Vec<&str> = args.collect();
    args.windows(2)
        .any(|w| w[1] == "pipefail" && w[0].starts_with('-') && !w[0].starts_with("--") && w[0].ends_with('o'))
}

/// The first argument that is not an option (nor an option's value).
fn first_operand(command: &Command, valued: &[&str]) -> Option<String> {
    let args = command.args();
    let mut i = 0;
    // `python -m pip install`: start after `pip`.
    if let Some(p) = args.windows(2).position(|w| w[0].text == "-m") {
        i = p + 2;
    }
    while i < args.len() {
        let t = args[i].text.as_str();
        if valued.contains(&t) {
            i += 2;
            continue;
        }
        if t.starts_with('-') {
            i += 1;
            continue;
        }
        return Some(t.to_string());
    }
    None
}

/// The operands after the subcommand `sub`, options and their values removed.
fn operands_after(command: &Command, sub: &str, valued: &[&str]) -> Vec<Word> {
    let Some(rest) = command.after_subcommand(&[sub]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let t = rest[i].text.as_str();
        if valued.contains(&t) {
            i += 2;
            continue;
        }
        if t.starts_with('-') || t.is_empty() {
            i += 1;
            continue;
        }
        out.push(rest[i].clone());
        i += 1;
    }
    out
}

fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) && !s.is_empty() {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@") || s.starts_with("git://")
}

fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz",
        ".zst",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, usize)> {
        lint(text, "Dockerfile", &Config::default())
            .into_iter()
            .filter(|f| f.finding.suppressed.is_none())
            .filter(|f| !matches!(f.finding.rule_id.as_ref(), "VGI-DF-009" | "VGI-DF-010"))
            .map(|f| (f.finding.rule_id.to_string(), f.line))
            .collect()
    }

    fn has(text: &str, id: &str) -> bool {
        ids(text).iter().any(|(i, _)| i == id)
    }

    #[test]
    fn sees_apt_through_sudo_and_sh_c() {
        let found = ids(
            "FROM debian:12\nRUN sudo apt-get install -y vim\nRUN bash -c \"apt-get install -y --no-install-recommends curl\"\n",
        );
        assert!(found.contains(&("DL3004".into(), 2)));
        assert!(found.contains(&("DL3008".into(), 2)));
        assert!(found.contains(&("DL3015".into(), 2)));
        assert!(found.contains(&("DL3008".into(), 3)));
        assert!(!found.contains(&("DL3015".into(), 3)));
    }

    #[test]
    fn exact_column_in_continuations() {
        let f = lint(
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      curl \\\n && rm -rf /var/lib/apt/lists/*\n",
            "D",
            &Config::default(),
        );
        let pin = f
            .iter()
            .find(|f| f.finding.rule_id == "DL3008")
            .map(|f| (f.line, f.column, f.end_column, f.instruction_line));
        assert_eq!(pin, Some((4, 7, 11, 2)));
        assert!(!f.iter().any(|f| f.finding.rule_id == "DL3009"));
    }

    #[test]
    fn heredoc_bodies_are_checked() {
        let found =
            ids("FROM debian:12\nRUN <<EOF\nset -e\napt-get install -y --no-install-recommends vim\nEOF\nUSER 10001\n");
        assert_eq!(found, [("DL3008".to_string(), 4)]);
    }

    #[test]
    fn final_stage_user() {
        assert!(!has("FROM a:1 AS b\nUSER root\nFROM c:1\nUSER app\n", "DL3002"));
        assert!(has(
            "FROM a:1 AS b\nUSER app\nFROM c:1\nUSER app\nUSER root\n",
            "DL3002"
        ));
        assert!(has("FROM a:1 AS b\nUSER 0:0\nFROM b\n", "DL3002"));
        let all = lint("FROM a:1 AS b\nUSER app\nFROM c:1\n", "D", &Config::default());
        assert!(all.iter().any(|f| f.finding.rule_id == "VGI-DF-010" && f.line == 3));
        let distroless = lint(
            "FROM gcr.io/distroless/static-debian12:nonroot\n",
            "D",
            &Config::default(),
        );
        assert!(distroless.iter().all(|f| f.finding.rule_id != "VGI-DF-010"));
    }

    #[test]
    fn images() {
        assert!(has("FROM localhost:5000/img\nUSER a\n", "DL3006"));
        assert!(has("FROM alpine:latest\nUSER a\n", "DL3007"));
        assert!(!has("ARG V=3.19\nFROM alpine:${V}\nUSER a\n", "DL3006"));
        assert!(!has("FROM $IMG\nUSER a\n", "DL3006"));
        assert!(!has("FROM a:1 AS x\nFROM x\nUSER a\n", "DL3006"));
    }

    #[test]
    fn pipe_to_shell_and_pipefail() {
        assert!(has("FROM a:1\nRUN curl -fsSL https://x | sh\n", "VGI-DF-003"));
        assert!(has(
            "FROM a:1\nRUN wget -qO- https://x | sudo bash -s -- -y\n",
            "VGI-DF-003"
        ));
        assert!(has("FROM a:1\nRUN sh -c \"$(curl -fsSL https://x)\"\n", "VGI-DF-003"));
        assert!(!has("FROM a:1\nRUN curl -fsSL https://x | tar xz\n", "VGI-DF-003"));
        assert!(has("FROM a:1\nRUN curl -fsSL https://x | tar xz\n", "DL4006"));
        assert!(!has(
            "FROM a:1\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN curl x | tar xz\n",
            "DL4006"
        ));
        assert!(!has("FROM a:1\nRUN set -euo pipefail; curl x | tar xz\n", "DL4006"));
    }

    #[test]
    fn corpus_regressions() {
        // docker-library/php: `apt-get dist-clean` removes the lists.
        let php = "FROM debian:13\nRUN set -eux; apt-get update; apt-get install -y --no-install-recommends gnupg; apt-get dist-clean\n";
        assert!(!has(php, "DL3009"));
        // awesome-compose: two heredoc RUNs of two commands each are not "one command each".
        let two = "FROM a:1\nRUN <<EOF\napk update\napk add git\nEOF\n\nRUN <<EOF\naddgroup -S d\nadduser -S v\nEOF\n";
        assert!(!has(two, "DL3059"));
        assert!(has("FROM a:1\nRUN <<EOF\na\nEOF\n\nRUN <<EOF\nc\nEOF\n", "DL3059"));
        // tianon/dockerfiles: a case right after `do` has patterns, not pipes.
        let case = "FROM a:1\nRUN for b in *; do case \"$b\" in shim | proxy) continue ;; esac; done\n";
        assert!(!has(case, "DL4006"));
    }

    #[test]
    fn secrets() {
        assert!(has(
            "FROM a:1\nENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
            "VGI-DF-002"
        ));
        assert!(has("FROM a:1\nARG DB_PASSWORD\n", "DL3064"));
        assert!(!has("FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db\n", "DL3064"));
        assert!(!has(
            "FROM a:1\nENV DOCKER_CREDENTIAL_GCR_CONFIG /kaniko/.config/gcr.json\n",
            "DL3064"
        ));
        assert!(has("FROM a:1\nENV NAGIOSADMIN_PASS nagios\n", "DL3064"));
        assert!(has("FROM a:1\nCOPY id_rsa /root/.ssh/\n", "VGI-DF-006"));
        assert!(has("FROM a:1\nCOPY .env /app/\n", "VGI-DF-006"));
        assert!(!has("FROM a:1\nCOPY .env.example /app/\n", "VGI-DF-006"));
    }

    #[test]
    fn chmod_and_expose() {
        assert!(has("FROM a:1\nRUN chmod -R 777 /app\n", "VGI-DF-004"));
        assert!(has("FROM a:1\nRUN chmod o+w /app\n", "VGI-DF-004"));
        assert!(!has("FROM a:1\nRUN chmod 1777 /tmp\n", "VGI-DF-004"));
        assert!(!has("FROM a:1\nRUN chmod 755 /app\n", "VGI-DF-004"));
        assert!(!has("FROM a:1\nRUN chmod a+rwxt /scratch\n", "VGI-DF-004"));
        assert!(has("FROM a:1\nRUN chmod u+x,a+w /x\n", "VGI-DF-004"));
        assert!(has("FROM a:1\nEXPOSE 80 22/tcp\n", "VGI-DF-005"));
        assert!(has("FROM a:1\nEXPOSE 70000\n", "DL3011"));
    }

    #[test]
    fn add_rules_and_fix() {
        let f = lint(
            "FROM a:1\nADD app.py /app/\nADD https://x/t.tgz /opt/\n",
            "D",
            &Config::default(),
        );
        let add = f
            .iter()
            .find(|f| f.finding.rule_id == "DL3020")
            .and_then(|f| f.suggestion.clone());
        assert_eq!(
            add.map(|s| (s.replacement, s.span.start.line, s.span.end.column)),
            Some(("COPY".to_string(), 2, 4))
        );
        assert!(f.iter().any(|f| f.finding.rule_id == "VGI-DF-007" && f.line == 3));
    }

    #[test]
    fn inline_ignores() {
        let f = lint(
            "FROM debian:12\n# hadolint ignore=DL3008, DL3015\nRUN apt-get install -y vim\n",
            "D",
            &Config::default(),
        );
        let d = f
            .iter()
            .find(|f| f.finding.rule_id == "DL3008")
            .map(|f| f.finding.suppressed.is_some());
        assert_eq!(d, Some(true));
        let f = lint(
            "# vigie global ignore=VGI-DF-009\nFROM debian:12\n",
            "D",
            &Config::default(),
        );
        assert!(
            f.iter()
                .all(|f| f.finding.rule_id != "VGI-DF-009" || f.finding.suppressed.is_some())
        );
    }

    /// Every rule page's example is real: the flagged one fires the rule,
    /// the fine one does not.
    #[test]
    fn rule_page_examples_hold() {
        let config = Config::every_rule_on();
        let mut strict = config.clone();
        strict.strict_labels = true;
        let mut one_label = config.clone();
        one_label
            .label_schema
            .retain(|k, _| k == "org.opencontainers.image.source");
        let mut registries = config.clone();
        registries.trusted_registries = vec!["registry.internal".to_string()];
        let mut wrong = Vec::new();
        for rule in catalog::RULES {
            let id = rule.info.id;
            let config = match id {
                "DL3050" => &strict,
                "DL3049" => &one_label,
                "DL3026" => &registries,
                _ => &config,
            };
            let wrap = |text: &str| {
                if text
                    .lines()
                    .any(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
                    || id == "DL3061"
                {
                    format!("{text}\n")
                } else {
                    format!("FROM debian:12\n{text}\n")
                }
            };
            let fires = |text: &str| lint(&wrap(text), "D", config).iter().any(|f| f.finding.rule_id == id);
            if !fires(rule.bad) {
                wrong.push(format!("{id}: the flagged example is not flagged"));
            }
            if fires(rule.good) {
                wrong.push(format!("{id}: the fine example is flagged"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn parse_errors_are_findings() {
        let f = lint("FROM a:1\nRUN <<EOF\necho\n", "D", &Config::default());
        assert!(
            f.iter()
                .any(|f| f.finding.rule_id == "DL1000" && f.line == 2 && f.column == 5)
        );
    }

    #[test]
    fn pip_npm_gem() {
        assert!(has(
            "FROM a:1\nRUN python3 -m pip install --no-cache-dir django\n",
            "DL3013"
        ));
        assert!(has(
            "FROM a:1\nRUN pip install --no-cache-dir -r req.txt flask\n",
            "DL3013"
        ));
        assert!(!has(
            "FROM a:1\nRUN pip install --no-cache-dir -r req.txt 'flask>=2' .\n",
            "DL3013"
        ));
        assert!(has("FROM a:1\nRUN pip install flask==1\n", "DL3042"));
        assert!(!has(
            "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==1\n",
            "DL3042"
        ));
        assert!(has("FROM a:1\nRUN npm install -g express\n", "DL3016"));
        assert!(!has("FROM a:1\nRUN npm install -g @scope/pkg@1 && npm ci\n", "DL3016"));
        assert!(has("FROM a:1\nRUN gem install rails\n", "DL3028"));
    }
}
