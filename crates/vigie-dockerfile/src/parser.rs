//! A Dockerfile parser for the syntax BuildKit accepts, written for linting:
//! it never fails (a problem becomes a [`ParseError`] with a location and the
//! parser moves on to the next instruction) and it keeps, for every byte of an
//! instruction's arguments, the line and column it came from.
//!
//! Why not the `parse-dockerfile` crate: it handled the edge cases
//! (heredoc followed directly by an instruction, `# escape=`, CRLF, comments
//! inside continuations, `FROM localhost:5000/img`), but it returns RUN
//! arguments as raw source (continuations and comment lines still inside) and
//! stops at the first error, so a lint would need its own logical-line layer
//! and error recovery on top of it anyway: that layer is most of this file.

use serde::Serialize;

/// A 1-based line and column (columns count Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A region of the file, `end` inclusive of its last character's column + 1
/// (SARIF's convention: `endColumn` is one past the last character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

impl Keyword {
    pub fn parse(word: &str) -> Option<Keyword> {
        Some(match word.to_ascii_uppercase().as_str() {
            "FROM" => Keyword::From,
            "RUN" => Keyword::Run,
            "CMD" => Keyword::Cmd,
            "LABEL" => Keyword::Label,
            "MAINTAINER" => Keyword::Maintainer,
            "EXPOSE" => Keyword::Expose,
            "ENV" => Keyword::Env,
            "ADD" => Keyword::Add,
            "COPY" => Keyword::Copy,
            "ENTRYPOINT" => Keyword::Entrypoint,
            "VOLUME" => Keyword::Volume,
            "USER" => Keyword::User,
            "WORKDIR" => Keyword::Workdir,
            "ARG" => Keyword::Arg,
            "ONBUILD" => Keyword::Onbuild,
            "STOPSIGNAL" => Keyword::Stopsignal,
            "HEALTHCHECK" => Keyword::Healthcheck,
            "SHELL" => Keyword::Shell,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::From => "FROM",
            Keyword::Run => "RUN",
            Keyword::Cmd => "CMD",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Expose => "EXPOSE",
            Keyword::Env => "ENV",
            Keyword::Add => "ADD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Volume => "VOLUME",
            Keyword::User => "USER",
            Keyword::Workdir => "WORKDIR",
            Keyword::Arg => "ARG",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Shell => "SHELL",
        }
    }

    /// Instructions whose arguments may open heredocs.
    fn takes_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }

    /// Instructions that take leading `--flag[=value]` options.
    fn takes_flags(self) -> bool {
        matches!(
            self,
            Keyword::From | Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Healthcheck
        )
    }
}

/// Maps byte offsets of a joined text back to file positions: each segment is
/// a run of bytes copied from one physical line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// (offset in the joined text, line, byte offset in that line)
    segments: Vec<(usize, usize, usize)>,
}

impl SourceMap {
    fn push(&mut self, joined_offset: usize, line: usize, line_byte: usize) {
        self.segments.push((joined_offset, line, line_byte));
    }

    /// The (line, byte in line) that produced `offset` of the joined text.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let index = match self.segments.binary_search_by(|s| s.0.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        match self.segments.get(index) {
            Some(&(start, line, byte)) => (line, byte + offset.saturating_sub(start)),
            None => (1, 0),
        }
    }

    /// A map shifted by `delta` bytes: for a substring starting at `delta`.
    fn sub(&self, delta: usize) -> SourceMap {
        let mut out = SourceMap::default();
        let (line, byte) = self.locate(delta);
        out.push(0, line, byte);
        for &(start, line, byte) in &self.segments {
            if start > delta {
                out.push(start - delta, line, byte);
            }
        }
        out
    }
}

/// A `--name=value` option of FROM, RUN, COPY, ADD or HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    /// Byte offset of `--` in the instruction's `args`.
    #[serde(skip)]
    pub offset: usize,
}

/// `<<EOF` … `EOF`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body and the delimiter line.
    pub strip_tabs: bool,
    /// `<<'EOF'` or `<<"EOF"`: no expansion in the body.
    pub quoted: bool,
    /// The body, lines joined with `\n` (with a final `\n` when not empty).
    pub body: String,
    /// Line of the body's first line (the one after the instruction or the previous heredoc).
    pub body_line: usize,
    /// Byte offset of `<<` in the instruction's `args`.
    #[serde(skip)]
    pub offset: usize,
}

/// Arguments in JSON (exec) form or shell form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Form {
    Json(Vec<String>),
    Shell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (`run`, `Run`…).
    pub keyword_text: String,
    /// From the keyword to the end of the last line (heredoc bodies included).
    pub span: Span,
    /// Everything after the keyword, continuations joined, comment and blank
    /// lines inside the continuation removed, leading blanks trimmed.
    pub args: String,
    /// Leading `--flags` (FROM, RUN, COPY, ADD, HEALTHCHECK).
    pub flags: Vec<Flag>,
    /// Byte offset in `args` where the arguments after the flags start.
    pub rest_offset: usize,
    pub form: Form,
    pub heredocs: Vec<Heredoc>,
    /// ONBUILD's trigger instruction.
    pub trigger: Option<Box<Instruction>>,
    #[serde(skip)]
    pub map: SourceMap,
}

impl Instruction {
    /// Arguments after the flags.
    pub fn rest(&self) -> &str {
        self.args.get(self.rest_offset..).unwrap_or("")
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// (line, byte in line) of a byte offset of `args`.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        self.map.locate(offset)
    }

    pub fn line(&self) -> usize {
        self.span.start.line
    }
}

/// A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// A whole-line comment outside instructions (for `# hadolint ignore=` pragmas).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub line: usize,
    /// Text after `#`, trimmed.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
    pub errors: Vec<ParseError>,
    /// The physical lines (without line terminators), for columns and excerpts.
    #[serde(skip)]
    pub lines: Vec<String>,
}

impl Dockerfile {
    /// The 1-based character column of a byte offset in a line.
    pub fn column(&self, line: usize, byte: usize) -> usize {
        match self.lines.get(line.wrapping_sub(1)) {
            Some(text) => {
                let byte = byte.min(text.len());
                let mut b = byte;
                while b > 0 && !text.is_char_boundary(b) {
                    b -= 1;
                }
                text[..b].chars().count() + 1
            }
            None => byte + 1,
        }
    }

    /// The position of a byte offset of an instruction's `args`.
    pub fn position(&self, instruction: &Instruction, offset: usize) -> Position {
        let (line, byte) = instruction.locate(offset);
        Position {
            line,
            column: self.column(line, byte),
        }
    }

    /// The span of `len` bytes at `offset` of an instruction's `args`.
    pub fn span_of(&self, instruction: &Instruction, offset: usize, len: usize) -> Span {
        let start = self.position(instruction, offset);
        let (line, byte) = instruction.locate(offset + len.saturating_sub(1));
        let end = Position {
            line,
            column: self.column(line, byte) + usize::from(len > 0),
        };
        Span { start, end }
    }

    /// The text of a line (1-based), empty when out of range.
    pub fn line_text(&self, line: usize) -> &str {
        self.lines.get(line.wrapping_sub(1)).map(String::as_str).unwrap_or("")
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_comment(s: &str) -> bool {
    s.trim_start().starts_with('#')
}

/// `# name=value` at the top of the file.
fn directive(line: &str) -> Option<(String, String)> {
    let text = line.trim_start().strip_prefix('#')?;
    let (name, value) = text.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    Some((name.to_ascii_lowercase(), value.trim().to_string()))
}

/// Does this line (trailing blanks ignored) end with the escape character?
fn continues(line: &str, escape: char) -> bool {
    line.trim_end_matches([' ', '\t']).ends_with(escape)
}

pub fn parse(text: &str) -> Dockerfile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    // A final newline does not make a last, empty line.
    let count = if text.ends_with('\n') {
        lines.len().saturating_sub(1)
    } else {
        lines.len()
    };
    let mut file = Dockerfile {
        directives: Vec::new(),
        escape: '\\',
        instructions: Vec::new(),
        comments: Vec::new(),
        errors: Vec::new(),
        lines,
    };

    let mut index = 0;
    // Parser directives: only at the very top, until the first line that is not one.
    while index < count {
        let Some((name, value)) = directive(&file.lines[index]) else {
            break;
        };
        if name == "escape" {
            match value.as_str() {
                "\\" => file.escape = '\\',
                "`" => file.escape = '`',
                other => file.errors.push(ParseError {
                    message: format!("invalid escape directive '{other}' (expected \\ or `)"),
                    span: line_span(&file.lines, index + 1),
                }),
            }
        }
        file.directives.push(Directive {
            name,
            value,
            line: index + 1,
        });
        index += 1;
    }

    while index < count {
        let line = file.lines[index].clone();
        if is_blank(&line) {
            index += 1;
            continue;
        }
        if is_comment(&line) {
            let text = line.trim_start().trim_start_matches('#').trim().to_string();
            file.comments.push(Comment { line: index + 1, text });
            index += 1;
            continue;
        }
        index = parse_instruction(&mut file, index, count);
    }
    // BuildKit refuses a Dockerfile without instructions, or without a stage.
    let whole = Span {
        start: Position { line: 1, column: 1 },
        end: Position { line: 1, column: 1 },
    };
    if file.instructions.is_empty() && file.errors.is_empty() {
        file.errors.push(ParseError {
            message: "the Dockerfile has no instructions (BuildKit refuses an empty Dockerfile)".to_string(),
            span: whole,
        });
    } else if !file.instructions.iter().any(|i| i.keyword == Keyword::From) && file.errors.is_empty() {
        file.errors.push(ParseError {
            message: "no FROM instruction: the Dockerfile has no build stage".to_string(),
            span: whole,
        });
    }
    file
}

fn line_span(lines: &[String], line: usize) -> Span {
    let len = lines.get(line.wrapping_sub(1)).map(|l| l.chars().count()).unwrap_or(0);
    Span {
        start: Position { line, column: 1 },
        end: Position { line, column: len + 1 },
    }
}

/// Parses the instruction starting at line `index` (0-based); returns the index of the next line to read.
fn parse_instruction(file: &mut Dockerfile, index: usize, count: usize) -> usize {
    let escape = file.escape;
    let first = file.lines[index].clone();
    let indent = first.len() - first.trim_start().len();
    let keyword_end = first[indent..]
        .find(|c: char| c.is_whitespace())
        .map(|i| indent + i)
        .unwrap_or(first.len());
    let keyword_text = first[indent..keyword_end].to_string();

    // Join the logical line.
    let mut args = String::new();
    let mut map = SourceMap::default();
    let mut line_index = index;
    let mut last_line;
    let mut start_byte = keyword_end;
    loop {
        let line = &file.lines[line_index];
        let mut piece = &line[start_byte.min(line.len())..];
        let mut piece_start = start_byte.min(line.len());
        if line_index == index {
            let trimmed = piece.trim_start();
            piece_start += piece.len() - trimmed.len();
            piece = trimmed;
        }
        let more = continues(piece, escape);
        let content = if more {
            let t = piece.trim_end_matches([' ', '\t']);
            &t[..t.len() - escape.len_utf8()]
        } else {
            piece
        };
        map.push(args.len(), line_index + 1, piece_start);
        args.push_str(content);
        last_line = line_index;
        line_index += 1;
        if !more {
            break;
        }
        // Blank and comment lines inside a continuation are dropped.
        while line_index < count && (is_blank(&file.lines[line_index]) || is_comment(&file.lines[line_index])) {
            line_index += 1;
        }
        if line_index >= count {
            break;
        }
        start_byte = 0;
    }

    let keyword = Keyword::parse(&keyword_text);
    let mut end_line = last_line + 1;
    let Some(keyword) = keyword else {
        file.errors.push(ParseError {
            message: format!("unknown instruction '{keyword_text}'"),
            span: Span {
                start: Position {
                    line: index + 1,
                    column: file.column(index + 1, indent),
                },
                end: Position {
                    line: index + 1,
                    column: file.column(index + 1, keyword_end),
                },
            },
        });
        return line_index;
    };

    let mut instruction = build(keyword, keyword_text.clone(), args, map, file);
    instruction.span.start = Position {
        line: index + 1,
        column: file.column(index + 1, indent),
    };

    // Heredoc bodies follow the logical line, in the order they were opened.
    let mut heredocs = Vec::new();
    let target_keyword = instruction.trigger.as_ref().map(|t| t.keyword).unwrap_or(keyword);
    if target_keyword.takes_heredocs() {
        let opened = find_heredocs(instruction.trigger.as_deref().unwrap_or(&instruction));
        for (offset, delimiter, strip_tabs, quoted) in opened {
            let body_line = line_index + 1;
            let mut body = String::new();
            let mut closed = false;
            while line_index < count {
                let raw = &file.lines[line_index];
                let line = if strip_tabs {
                    raw.trim_start_matches('\t')
                } else {
                    raw.as_str()
                };
                line_index += 1;
                if line == delimiter {
                    closed = true;
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            end_line = line_index;
            if !closed {
                let at = file.position(instruction.trigger.as_deref().unwrap_or(&instruction), offset);
                file.errors.push(ParseError {
                    message: format!("heredoc '{delimiter}' is not terminated"),
                    span: Span {
                        start: at,
                        end: Position {
                            line: at.line,
                            column: at.column + 2 + delimiter.chars().count(),
                        },
                    },
                });
            }
            heredocs.push(Heredoc {
                delimiter,
                strip_tabs,
                quoted,
                body,
                body_line,
                offset,
            });
        }
    }
    match instruction.trigger.as_mut() {
        Some(trigger) => trigger.heredocs = heredocs,
        None => instruction.heredocs = heredocs,
    }
    let end_len = file.line_text(end_line).chars().count();
    instruction.span.end = Position {
        line: end_line,
        column: end_len + 1,
    };
    if let Some(trigger) = instruction.trigger.as_mut() {
        trigger.span.end = instruction.span.end;
    }

    if let Some(message) = check_arguments(&instruction) {
        let span = instruction.span;
        file.errors.push(ParseError {
            message,
            span: Span {
                start: span.start,
                end: Position {
                    line: span.start.line,
                    column: span.start.column + instruction.keyword_text.chars().count(),
                },
            },
        });
    }
    file.instructions.push(instruction);
    line_index
}

/// Build an instruction from its keyword and joined arguments.
fn build(keyword: Keyword, keyword_text: String, args: String, map: SourceMap, file: &Dockerfile) -> Instruction {
    let (flags, rest_offset) = if keyword.takes_flags() {
        parse_flags(&args)
    } else {
        (Vec::new(), 0)
    };
    let rest = &args[rest_offset..];
    let form = match keyword {
        Keyword::Run
        | Keyword::Cmd
        | Keyword::Entrypoint
        | Keyword::Shell
        | Keyword::Copy
        | Keyword::Add
        | Keyword::Volume
        | Keyword::Healthcheck => json_form(rest),
        _ => None,
    }
    .map(Form::Json)
    .unwrap_or(Form::Shell);
    let mut trigger = None;
    if keyword == Keyword::Onbuild {
        let inner = args.trim_start();
        let skip = args.len() - inner.len();
        let end = inner.find(char::is_whitespace).unwrap_or(inner.len());
        if let Some(inner_keyword) = Keyword::parse(&inner[..end]) {
            let after = &inner[end..];
            let after_trimmed = after.trim_start();
            let delta = skip + end + (after.len() - after_trimmed.len());
            let sub_map = map.sub(delta);
            let mut t = build(
                inner_keyword,
                inner[..end].to_string(),
                after_trimmed.to_string(),
                sub_map,
                file,
            );
            let (line, byte) = map.locate(skip);
            t.span.start = Position {
                line,
                column: file.column(line, byte),
            };
            trigger = Some(Box::new(t));
        }
    }
    Instruction {
        keyword,
        keyword_text,
        span: Span::default(),
        args,
        flags,
        rest_offset,
        form,
        heredocs: Vec::new(),
        trigger,
        map,
    }
}

/// Problems BuildKit itself rejects.
fn check_arguments(instruction: &Instruction) -> Option<String> {
    let name = instruction.keyword.as_str();
    let rest = instruction.rest().trim();
    match instruction.keyword {
        Keyword::Onbuild => match &instruction.trigger {
            None if rest.is_empty() => Some("ONBUILD requires an instruction".to_string()),
            None => Some(format!(
                "ONBUILD: unknown instruction '{}'",
                rest.split_whitespace().next().unwrap_or("")
            )),
            // `ONBUILD ONBUILD|FROM|MAINTAINER` is DL3043, as in hadolint.
            Some(t) if matches!(t.keyword, Keyword::Onbuild | Keyword::From | Keyword::Maintainer) => None,
            Some(t) => check_arguments(t),
        },
        Keyword::Cmd | Keyword::Entrypoint | Keyword::Run if rest.is_empty() && instruction.heredocs.is_empty() => {
            if instruction.keyword == Keyword::Run {
                Some("RUN requires at least one argument".to_string())
            } else {
                None
            }
        }
        Keyword::From => {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.len() {
                1 => None,
                3 if words[1].eq_ignore_ascii_case("as") => None,
                0 => Some("FROM requires an image".to_string()),
                _ => Some(format!("FROM takes an image and an optional 'AS name', found '{rest}'")),
            }
        }
        Keyword::Copy | Keyword::Add => {
            let n = match &instruction.form {
                Form::Json(items) => items.len(),
                Form::Shell => rest.split_whitespace().count(),
            };
            (n < 2).then(|| format!("{name} requires at least two arguments (source and destination)"))
        }
        Keyword::User
        | Keyword::Workdir
        | Keyword::Maintainer
        | Keyword::Stopsignal
        | Keyword::Arg
        | Keyword::Env
        | Keyword::Label
        | Keyword::Expose
        | Keyword::Volume
        | Keyword::Shell
            if rest.is_empty() =>
        {
            Some(format!("{name} requires an argument"))
        }
        Keyword::Shell if !matches!(instruction.form, Form::Json(_)) => {
            Some("SHELL requires the arguments in JSON form".to_string())
        }
        Keyword::Healthcheck => check_healthcheck(instruction),
        _ => None,
    }
}

/// BuildKit's checks of HEALTHCHECK: known flags, Go durations, an integer
/// retry count, and `CMD …` or `NONE`.
fn check_healthcheck(instruction: &Instruction) -> Option<String> {
    for flag in &instruction.flags {
        let value = flag.value.as_deref().unwrap_or("");
        match flag.name.as_str() {
            "interval" | "timeout" | "start-period" | "start-interval" => {
                if !is_go_duration(value) {
                    return Some(format!(
                        "HEALTHCHECK --{}={value}: not a duration (e.g. 30s, 1m30s)",
                        flag.name
                    ));
                }
            }
            "retries" => {
                if value.parse::<u32>().is_err() {
                    return Some(format!("HEALTHCHECK --retries={value}: not a whole number"));
                }
            }
            other => return Some(format!("HEALTHCHECK: unknown flag --{other}")),
        }
    }
    let rest = instruction.rest().trim();
    let first = rest.split_whitespace().next().unwrap_or("");
    if first.eq_ignore_ascii_case("none") {
        return (rest.split_whitespace().count() > 1).then(|| "HEALTHCHECK NONE takes no arguments".to_string());
    }
    if !first.eq_ignore_ascii_case("cmd") {
        return Some(format!("HEALTHCHECK takes CMD or NONE, found '{first}'"));
    }
    (rest.len() <= 3).then(|| "HEALTHCHECK CMD requires a command".to_string())
}

/// A Go `time.ParseDuration` string: `0`, or numbers with units ns, us, µs, ms, s, m, h.
fn is_go_duration(value: &str) -> bool {
    let v = value.strip_prefix(['+', '-']).unwrap_or(value);
    if v == "0" {
        return true;
    }
    if v.is_empty() {
        return false;
    }
    let mut rest = v;
    while !rest.is_empty() {
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (n, after) = rest.split_at(number);
        if n.is_empty() || n == "." || n.matches('.').count() > 1 {
            return false;
        }
        let unit = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| after.starts_with(*u))
            .max_by_key(|u| u.len());
        let Some(unit) = unit else { return false };
        rest = &after[unit.len()..];
    }
    true
}

fn parse_flags(args: &str) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    let mut at = 0;
    loop {
        let rest = &args[at..];
        let trimmed = rest.trim_start();
        let offset = at + (rest.len() - trimmed.len());
        if !trimmed.starts_with("--") {
            return (flags, offset);
        }
        // A flag value may hold quotes with spaces (`--mount=type=secret,id="a b"`).
        let mut end = trimmed.len();
        let mut quote: Option<char> = None;
        for (i, c) in trimmed.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c.is_whitespace() => {
                    end = i;
                    break;
                }
                None => {}
            }
        }
        let token = &trimmed[2..end];
        let (name, value) = match token.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (token.to_string(), None),
        };
        flags.push(Flag { name, value, offset });
        at = offset + end;
    }
}

fn json_form(rest: &str) -> Option<Vec<String>> {
    let t = rest.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` in shell-form arguments, outside quotes.
/// Returns (offset in args, delimiter, strip tabs, quoted).
fn find_heredocs(instruction: &Instruction) -> Vec<(usize, String, bool, bool)> {
    let mut found = Vec::new();
    if matches!(instruction.form, Form::Json(_)) {
        return found;
    }
    let args = &instruction.args;
    let bytes = args.as_bytes();
    let mut i = instruction.rest_offset;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == b'\\' && q == b'"' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == b'<' && bytes.get(i + 1) == Some(&b'<') {
            if bytes.get(i + 2) == Some(&b'<') {
                i += 3; // a here-string, not a heredoc
                continue;
            }
            let start = i;
            let mut j = i + 2;
            let strip_tabs = bytes.get(j) == Some(&b'-');
            if strip_tabs {
                j += 1;
            }
            let open = bytes.get(j).copied().filter(|b| *b == b'"' || *b == b'\'');
            if open.is_some() {
                j += 1;
            }
            let word_start = j;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'_' | b'-' | b'.')) {
                j += 1;
            }
            let word = &args[word_start..j];
            if let Some(q) = open {
                if bytes.get(j) == Some(&q) {
                    j += 1;
                } else {
                    i = j;
                    continue;
                }
            }
            if !word.is_empty() {
                found.push((start, word.to_string(), strip_tabs, open.is_some()));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

/// Stages of a multi-stage build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// The image as written.
    pub image: String,
    /// Index of the FROM instruction in `Dockerfile::instructions`.
    pub from: usize,
    /// One past the last instruction of the stage.
    pub end: usize,
}

impl Dockerfile {
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages: Vec<Stage> = Vec::new();
        for (i, instruction) in self.instructions.iter().enumerate() {
            if instruction.keyword != Keyword::From {
                continue;
            }
            if let Some(last) = stages.last_mut() {
                last.end = i;
            }
            let words: Vec<&str> = instruction.rest().split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
                _ => None,
            };
            stages.push(Stage {
                index: stages.len(),
                name,
                image: words.first().map(|w| w.to_string()).unwrap_or_default(),
                from: i,
                end: self.instructions.len(),
            });
        }
        stages
    }

    /// `ARG` defaults declared before the first FROM (the only ones FROM can use).
    pub fn global_args(&self) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for instruction in &self.instructions {
            if instruction.keyword == Keyword::From {
                break;
            }
            if instruction.keyword == Keyword::Arg {
                for (name, value) in key_values(instruction.rest()) {
                    out.push((name, value));
                }
            }
        }
        out
    }
}

/// `ENV`/`ARG`/`LABEL` pairs: `a=b c="d e"` or the legacy `ENV name value with spaces`.
pub fn key_values(rest: &str) -> Vec<(String, Option<String>)> {
    let words = split_words(rest);
    if words.is_empty() {
        return Vec::new();
    }
    if !words[0].0.contains('=') && words.len() > 1 {
        // Legacy form: the first word is the name, the rest (raw) is the value.
        let name = words[0].0.clone();
        let value = rest.get(words[0].2..).unwrap_or("").trim().to_string();
        return vec![(name, Some(unquote(&value)))];
    }
    words
        .into_iter()
        .map(|(word, _, _)| match word.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (word, None),
        })
        .collect()
}

fn unquote(value: &str) -> String {
    split_words(value)
        .into_iter()
        .map(|w| w.0)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The arguments of COPY and ADD in shell form, split as BuildKit splits
/// them: on whitespace first (quotes do not group words there: paths with
/// spaces need the JSON form), then each field unquoted.
pub fn split_fields(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let word = split_words(&text[s..i]).into_iter().map(|w| w.0).collect::<String>();
                out.push((word, s, i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Words with quotes removed: (word, start, end) as byte offsets in `text`.
pub fn split_words(text: &str) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(&(_, n)) = chars.peek()
                    && (n == '"' || n == '\\' || n == '$')
                {
                    current.push(n);
                    chars.next();
                    continue;
                }
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push((std::mem::take(&mut current), s, i));
                }
            }
            None => {
                if start.is_none() {
                    start = Some(i);
                }
                match c {
                    '"' | '\'' => quote = Some(c),
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            current.push(n);
                        }
                    }
                    _ => current.push(c),
                }
            }
        }
    }
    if let Some(s) = start {
        words.push((current, s, text.len()));
    }
    words
}

/// `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`.
/// Returns the expanded text and whether some variable was unknown.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> (String, bool) {
    let mut out = String::new();
    let mut unknown = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() && chars[i + 1] == '$' {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') else {
                out.extend(&chars[i..]);
                break;
            };
            let inner: String = chars[i + 2..i + 2 + close].iter().collect();
            i += close + 3;
            let name_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_end);
            let value = lookup(name);
            let set_nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
            let (expanded, ok) = if let Some(d) = op.strip_prefix(":-") {
                if set_nonempty {
                    (value.unwrap_or_default(), true)
                } else {
                    (d.to_string(), true)
                }
            } else if let Some(d) = op.strip_prefix('-') {
                match value {
                    Some(v) => (v, true),
                    None => (d.to_string(), true),
                }
            } else if let Some(a) = op.strip_prefix(":+") {
                (if set_nonempty { a.to_string() } else { String::new() }, true)
            } else if let Some(a) = op.strip_prefix('+') {
                (if value.is_some() { a.to_string() } else { String::new() }, true)
            } else {
                match value {
                    Some(v) => (v, true),
                    None => (String::new(), false),
                }
            };
            unknown |= !ok;
            out.push_str(&expanded);
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .collect();
        if name.is_empty() {
            out.push('$');
            i += 1;
            continue;
        }
        i += 1 + name.chars().count();
        match lookup(&name) {
            Some(v) => out.push_str(&v),
            None => unknown = true,
        }
    }
    (out, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_split_like_buildkit() {
        let fields: Vec<String> = split_fields("\\conf\\\\\" /.znc").into_iter().map(|f| f.0).collect();
        assert_eq!(fields, ["conf\\", "/.znc"]);
        let fields: Vec<String> = split_fields(" \"a\"  'b c' ").into_iter().map(|f| f.0).collect();
        assert_eq!(fields, ["a", "b", "c"]);
    }

    fn kinds(file: &Dockerfile) -> Vec<&'static str> {
        file.instructions.iter().map(|i| i.keyword.as_str()).collect()
    }

    #[test]
    fn heredoc_followed_directly_by_next_instruction() {
        let f = parse("FROM alpine:3.19\nRUN <<EOF\napk add curl\nEOF\nRUN echo next\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(kinds(&f), ["FROM", "RUN", "RUN"]);
        let run = &f.instructions[1];
        assert_eq!(run.heredocs[0].body, "apk add curl\n");
        assert_eq!(run.heredocs[0].body_line, 3);
        assert_eq!(run.span.end.line, 4);
        assert_eq!(f.instructions[2].line(), 5);
    }

    #[test]
    fn several_heredocs_and_strip_tabs() {
        let f = parse("FROM a\nCOPY <<one <<-\"two\" /dst/\nfirst\none\n\tsecond\n\ttwo\nUSER app\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let copy = &f.instructions[1];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[1].body, "second\n");
        assert!(copy.heredocs[1].quoted && copy.heredocs[1].strip_tabs);
        assert_eq!(f.instructions[2].line(), 7);
    }

    #[test]
    fn here_string_is_not_a_heredoc() {
        let f = parse("FROM a\nRUN cat <<< hello\nUSER x\n");
        assert!(f.instructions[1].heredocs.is_empty());
        assert_eq!(kinds(&f), ["FROM", "RUN", "USER"]);
    }

    #[test]
    fn unterminated_heredoc_is_an_error_with_location() {
        let f = parse("FROM a\nRUN <<EOF\necho\n");
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.errors[0].span.start, Position { line: 2, column: 5 });
    }

    #[test]
    fn escape_directive_and_backtick_continuation() {
        let f = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n  && echo done\n");
        assert_eq!(f.escape, '`');
        assert_eq!(f.instructions[1].args, "dir C:\\   && echo done");
    }

    #[test]
    fn crlf_and_comments_inside_continuations() {
        let f =
            parse("FROM debian:12\r\nRUN apt-get update \\\r\n# a comment\r\n\r\n    && apt-get install -y curl\r\n");
        assert!(f.errors.is_empty());
        let run = &f.instructions[1];
        assert_eq!(run.args, "apt-get update     && apt-get install -y curl");
        let at = run.args.find("curl").unwrap_or(0);
        assert_eq!(f.position(run, at), Position { line: 5, column: 27 });
    }

    #[test]
    fn registry_with_port_and_stage_names() {
        let f = parse("ARG V=1\nFROM localhost:5000/img:${V} AS Build\nFROM build\n");
        let stages = f.stages();
        assert_eq!(stages[0].image, "localhost:5000/img:${V}");
        assert_eq!(stages[0].name.as_deref(), Some("build"));
        assert_eq!(f.global_args(), vec![("V".to_string(), Some("1".to_string()))]);
    }

    #[test]
    fn flags_json_form_and_onbuild() {
        let f = parse(
            "FROM a\nRUN --mount=type=cache,target=/root/.cache pip install x\nCMD [\"a\", \"b\"]\nONBUILD RUN echo hi\n",
        );
        let run = &f.instructions[1];
        assert_eq!(
            run.flag("mount").and_then(|f| f.value.as_deref()),
            Some("type=cache,target=/root/.cache")
        );
        assert_eq!(run.rest(), "pip install x");
        assert_eq!(f.instructions[2].form, Form::Json(vec!["a".into(), "b".into()]));
        let trigger = f.instructions[3]
            .trigger
            .as_deref()
            .map(|t| (t.keyword, t.args.clone()));
        assert_eq!(trigger, Some((Keyword::Run, "echo hi".to_string())));
    }

    #[test]
    fn unknown_instruction_is_an_error_and_parsing_goes_on() {
        let f = parse("FROM a\nFOO bar \\\n  baz\nUSER x\n");
        assert_eq!(f.errors[0].message, "unknown instruction 'FOO'");
        assert_eq!(kinds(&f), ["FROM", "USER"]);
    }

    #[test]
    fn expands_variables() {
        let lookup = |name: &str| (name == "V").then(|| "3.19".to_string());
        assert_eq!(expand("alpine:${V}", &lookup), ("alpine:3.19".to_string(), false));
        assert_eq!(expand("alpine:${X:-1}", &lookup), ("alpine:1".to_string(), false));
        assert_eq!(expand("alpine:$X", &lookup), ("alpine:".to_string(), true));
    }

    #[test]
    fn key_values_both_forms() {
        assert_eq!(
            key_values("A=1 B=\"two words\""),
            vec![("A".into(), Some("1".into())), ("B".into(), Some("two words".into()))]
        );
        assert_eq!(
            key_values("PATH /usr/bin:/bin"),
            vec![("PATH".into(), Some("/usr/bin:/bin".into()))]
        );
    }
}
