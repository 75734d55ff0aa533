//! Just enough of a POSIX shell parser to see the real commands of a RUN:
//! words (quotes, escapes, `$VAR`, `$(…)`, backticks), operators (`&&`, `||`,
//! `;`, `|`, `&`, newlines, subshells), redirections (including here-strings
//! and heredocs) and compound-command keywords. It then sees through `sudo`,
//! `env VAR=x`, `nice`, `exec`, `sh -c '…'` and `bash -lc '…'`.
//!
//! Why not `brush-parser`: it is a full bash grammar and brings about 150
//! crates to the build for what the lint rules need, which is the list of
//! simple commands, their words and who pipes into whom. Lint rules never
//! execute anything, so an unusual construct costs at most a missed finding;
//! this tokenizer never fails and keeps every word's byte offset so findings
//! point at the exact column.

/// One shell word after quote removal. Expansions are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Byte offsets of the raw word in the script.
    pub start: usize,
    pub end: usize,
    /// Some part was quoted.
    pub quoted: bool,
    /// Raw text of each `$(…)` or backtick command substitution inside.
    pub substitutions: Vec<(String, usize)>,
}

/// A simple command: its words (assignments and redirections removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    /// Pipeline id, unique in one `parse` result.
    pub pipeline: usize,
    /// Position in the pipeline (0 = first), and the pipeline's length.
    pub stage: usize,
    pub stages: usize,
    /// Byte offset of the `sudo` this command was reached through.
    pub sudo: Option<usize>,
    /// Ran inside `$(…)` or backticks.
    pub substituted: bool,
    /// Reached through `sh -c`/`bash -c`.
    pub nested: bool,
    /// Byte offset of the command's first word in the outer script.
    pub offset: usize,
}

impl Command {
    /// The program name without its directory (`/usr/bin/apt-get` → `apt-get`).
    pub fn name(&self) -> &str {
        self.words
            .first()
            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
            .unwrap_or("")
    }

    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    pub fn has_arg(&self, arg: &str) -> bool {
        self.args().iter().any(|w| w.text == arg)
    }

    /// Is `letter` set in a short-option cluster (`-y`, `-qy`) or is `long` present?
    pub fn has_option(&self, letter: Option<char>, long: &[&str]) -> bool {
        self.args().iter().any(|w| {
            let t = w.text.as_str();
            if let Some(l) = t.strip_prefix("--") {
                let name = l.split('=').next().unwrap_or(l);
                return long.iter().any(|x| x.trim_start_matches("--") == name);
            }
            match (letter, t.strip_prefix('-')) {
                (Some(c), Some(cluster)) => {
                    !cluster.is_empty() && cluster.chars().all(|x| x.is_ascii_alphanumeric()) && cluster.contains(c)
                }
                _ => false,
            }
        })
    }

    /// The arguments after the first non-option argument equal to `sub`
    /// (`apt-get -q install a b` with `install` → `a b`), options kept.
    pub fn after_subcommand(&self, sub: &[&str]) -> Option<&[Word]> {
        let args = self.args();
        let i = args.iter().position(|w| sub.contains(&w.text.as_str()))?;
        Some(&args[i + 1..])
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(Word),
    /// `&&`, `||`, `;`, `&`, `\n`, `(`, `)`, `;;`
    Separator,
    Pipe,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    at: usize,
    base: usize,
    tokens: Vec<Token>,
    /// Heredoc delimiters waiting for the next newline: (delimiter, strip tabs).
    pending: Vec<(String, bool)>,
    depth: usize,
    /// Open `case … in … esac` constructs, innermost last.
    cases: Vec<Case>,
}

/// Where the lexer is inside a `case` construct: `|` separates patterns
/// there, it is not a pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// `case WORD` before `in`.
    Subject,
    /// Reading patterns up to `)`.
    Pattern,
    /// Commands of a branch, up to `;;`.
    Body,
}

const MAX_DEPTH: usize = 16;

/// Parse a script into its simple commands, seeing through wrappers.
pub fn parse(script: &str) -> Vec<Command> {
    let mut counter = 0;
    parse_at(script, 0, 0, &mut counter)
}

fn parse_at(script: &str, base: usize, depth: usize, counter: &mut usize) -> Vec<Command> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let mut lexer = Lexer {
        src: script,
        bytes: script.as_bytes(),
        at: 0,
        base,
        tokens: Vec::new(),
        pending: Vec::new(),
        depth,
        cases: Vec::new(),
    };
    lexer.run();
    let tokens = std::mem::take(&mut lexer.tokens);
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut pipeline: Vec<Vec<Word>> = Vec::new();
    let flush = |pipeline: &mut Vec<Vec<Word>>, out: &mut Vec<Command>, counter: &mut usize| {
        let id = *counter;
        *counter += 1;
        let stages = pipeline.len();
        for (stage, words) in pipeline.drain(..).enumerate() {
            commands_of(words, id, stage, stages, base, depth, counter, out);
        }
    };
    for token in tokens {
        match token {
            Token::Word(w) => words.push(w),
            Token::Pipe => pipeline.push(std::mem::take(&mut words)),
            Token::Separator => {
                pipeline.push(std::mem::take(&mut words));
                flush(&mut pipeline, &mut out, counter);
            }
        }
    }
    pipeline.push(words);
    flush(&mut pipeline, &mut out, counter);
    out
}

const RESERVED_PREFIX: &[&str] = &["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"];
const RESERVED_ALONE: &[&str] = &["fi", "done", "esac", "}", "in"];

#[allow(clippy::too_many_arguments)]
fn commands_of(
    mut words: Vec<Word>,
    pipeline: usize,
    stage: usize,
    stages: usize,
    base: usize,
    depth: usize,
    counter: &mut usize,
    out: &mut Vec<Command>,
) {
    // Command substitutions run whatever the command is.
    for word in &words {
        for (inner, offset) in &word.substitutions {
            for mut c in parse_at(inner, *offset, depth + 1, counter) {
                c.substituted = true;
                out.push(c);
            }
        }
    }
    while let Some(first) = words.first() {
        let t = first.text.as_str();
        if !first.quoted && RESERVED_PREFIX.contains(&t) {
            words.remove(0);
        } else if !first.quoted && (t == "for" || t == "case" || t == "select" || RESERVED_ALONE.contains(&t)) {
            return;
        } else if !first.quoted && is_assignment(t) {
            words.remove(0);
        } else {
            break;
        }
    }
    if words.is_empty() {
        return;
    }
    let mut sudo: Option<usize> = None;
    loop {
        let name = words[0].text.rsplit('/').next().unwrap_or("").to_string();
        let skip = match name.as_str() {
            "sudo" => {
                sudo = sudo.or(Some(words[0].start));
                wrapper_args(
                    &words,
                    &[
                        "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group",
                    ],
                    false,
                )
            }
            "env" => wrapper_args(&words, &["-u", "--unset", "-C", "--chdir", "-S"], true),
            "nice" => wrapper_args(&words, &["-n", "--adjustment"], false),
            "nohup" | "exec" | "command" | "builtin" | "time" => wrapper_args(&words, &["-a"], false),
            "timeout" => wrapper_args(&words, &["-s", "-k", "--signal", "--kill-after"], false).map(|n| n + 1),
            "stdbuf" | "ionice" | "chronic" | "eatmydata" => {
                wrapper_args(&words, &["-i", "-o", "-e", "-c", "-n"], false)
            }
            _ => None,
        };
        match skip {
            Some(n) if n < words.len() => {
                words.drain(..n);
            }
            Some(_) => return,
            None => break,
        }
    }
    let name = words[0].text.rsplit('/').next().unwrap_or("").to_string();
    if matches!(
        name.as_str(),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    ) && let Some(script) = dash_c_script(&words)
    {
        let offset = script.start + usize::from(script.quoted);
        for mut c in parse_at(&script.text, offset, depth + 1, counter) {
            c.nested = true;
            c.sudo = c.sudo.or(sudo);
            out.push(c);
        }
        // The shell itself is also a command of the pipeline (`curl … | sh -c …`).
    }
    let offset = words[0].start;
    out.push(Command {
        words,
        pipeline,
        stage,
        stages,
        sudo,
        substituted: false,
        nested: false,
        offset: offset.max(base),
    });
}

fn is_assignment(t: &str) -> bool {
    match t.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// How many words a wrapper (`sudo -u x`, `env A=1`) takes before the real command.
fn wrapper_args(words: &[Word], with_value: &[&str], assignments: bool) -> Option<usize> {
    let mut i = 1;
    while i < words.len() {
        let t = words[i].text.as_str();
        if t == "--" {
            return Some(i + 1);
        }
        if assignments && is_assignment(t) {
            i += 1;
            continue;
        }
        if t.starts_with('-') && t.len() > 1 {
            let takes_value = with_value.contains(&t);
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        return Some(i);
    }
    Some(i)
}

/// The script of `sh -c SCRIPT`, `bash -lc SCRIPT`, `bash -o pipefail -c SCRIPT`.
fn dash_c_script(words: &[Word]) -> Option<&Word> {
    let mut i = 1;
    let mut seen_c = false;
    while i < words.len() {
        let t = words[i].text.as_str();
        if seen_c {
            return Some(&words[i]);
        }
        if t == "-o" || t == "+o" || t == "-O" || t == "+O" {
            i += 2;
            continue;
        }
        if let Some(cluster) = t.strip_prefix('-') {
            if cluster.contains('c') && !cluster.starts_with('-') {
                seen_c = true;
            }
            i += 1;
            continue;
        }
        return None;
    }
    None
}

impl Lexer<'_> {
    fn peek(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.at + n).copied()
    }

    fn push_separator(&mut self) {
        self.tokens.push(Token::Separator);
    }

    fn run(&mut self) {
        while self.at < self.bytes.len() {
            let c = self.bytes[self.at];
            match c {
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'\n' => {
                    self.at += 1;
                    self.push_separator();
                    self.skip_heredoc_bodies();
                }
                b'#' => {
                    while self.at < self.bytes.len() && self.bytes[self.at] != b'\n' {
                        self.at += 1;
                    }
                }
                b'|' | b'(' | b')' if self.cases.last() == Some(&Case::Pattern) => {
                    // `a|b)` in a case: pattern alternatives, then the branch body.
                    self.at += 1;
                    if c == b')'
                        && let Some(last) = self.cases.last_mut()
                    {
                        *last = Case::Body;
                        self.push_separator();
                    }
                }
                b';' if self.peek(1) == Some(b';') || self.peek(1) == Some(b'&') => {
                    self.at += 2;
                    if self.peek(0) == Some(b'&') {
                        self.at += 1;
                    }
                    if let Some(last) = self.cases.last_mut()
                        && *last == Case::Body
                    {
                        *last = Case::Pattern;
                    }
                    self.push_separator();
                }
                b'&' | b'|' | b';' | b'(' | b')' => {
                    let two = self.peek(1);
                    match (c, two) {
                        (b'|', Some(b'|')) | (b'&', Some(b'&')) | (b';', Some(b';')) => {
                            self.at += 2;
                            self.push_separator();
                        }
                        (b'|', Some(b'&')) => {
                            self.at += 2;
                            self.tokens.push(Token::Pipe);
                        }
                        (b'|', _) => {
                            self.at += 1;
                            self.tokens.push(Token::Pipe);
                        }
                        (b'&', Some(b'>')) => {
                            self.at += 2;
                            if self.peek(0) == Some(b'>') {
                                self.at += 1;
                            }
                            self.redirect_target();
                        }
                        _ => {
                            self.at += 1;
                            self.push_separator();
                        }
                    }
                }
                b'<' | b'>' if self.peek(1) == Some(b'(') => {
                    // Process substitution `<(…)`: a word whose command runs.
                    let start = self.at;
                    self.at += 1;
                    let mut text = String::new();
                    let mut substitutions = Vec::new();
                    self.substitution(&mut text, &mut substitutions);
                    self.tokens.push(Token::Word(Word {
                        text,
                        start: self.base + start,
                        end: self.base + self.at,
                        quoted: false,
                        substitutions,
                    }));
                }
                b'<' | b'>' => self.redirection(),
                _ => {
                    // An fd number directly before a redirection (`2>&1`).
                    let digits = self.bytes[self.at..].iter().take_while(|b| b.is_ascii_digit()).count();
                    if digits > 0 && matches!(self.peek(digits), Some(b'<' | b'>')) {
                        self.at += digits;
                        self.redirection();
                    } else if let Some(word) = self.word() {
                        self.emit_word(word);
                    }
                }
            }
        }
    }

    /// Push a word, following `case … in … esac` on the way.
    fn emit_word(&mut self, word: Word) {
        // A command starts after a separator or a reserved word that takes one
        // (`do case …`, `then case …`).
        let at_start = match self.tokens.last() {
            None | Some(Token::Separator) => true,
            Some(Token::Word(w)) => !w.quoted && RESERVED_PREFIX.contains(&w.text.as_str()),
            _ => false,
        };
        let quoted = word.quoted;
        match (self.cases.last().copied(), word.text.as_str()) {
            (Some(Case::Subject), "in") if !quoted => {
                if let Some(last) = self.cases.last_mut() {
                    *last = Case::Pattern;
                }
                self.push_separator();
                return;
            }
            (Some(Case::Pattern), "esac") | (Some(Case::Body), "esac")
                if !quoted && (at_start || self.cases.last() == Some(&Case::Pattern)) =>
            {
                self.cases.pop();
                self.push_separator();
                return;
            }
            // A pattern is not a command.
            (Some(Case::Pattern), _) => return,
            _ => {}
        }
        if at_start && !quoted && word.text == "case" {
            self.cases.push(Case::Subject);
        }
        self.tokens.push(Token::Word(word));
    }

    fn redirection(&mut self) {
        let rest = &self.bytes[self.at..];
        if rest.starts_with(b"<<<") {
            self.at += 3;
            self.redirect_target();
        } else if rest.starts_with(b"<<") {
            self.at += 2;
            let strip = self.peek(0) == Some(b'-');
            if strip {
                self.at += 1;
            }
            self.skip_blanks();
            if let Some(word) = self.word() {
                self.pending.push((word.text, strip));
            }
        } else {
            self.at += 1;
            while matches!(self.peek(0), Some(b'>' | b'&' | b'|')) {
                self.at += 1;
            }
            // `>&2`, `<&-`: the fd is the target.
            self.redirect_target();
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(0), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn redirect_target(&mut self) {
        self.skip_blanks();
        let _ = self.word();
    }

    fn skip_heredoc_bodies(&mut self) {
        for (delimiter, strip) in std::mem::take(&mut self.pending) {
            while self.at < self.bytes.len() {
                let end = self.src[self.at..]
                    .find('\n')
                    .map(|i| self.at + i)
                    .unwrap_or(self.src.len());
                let line = &self.src[self.at..end];
                let line = line.strip_suffix('\r').unwrap_or(line);
                let line = if strip { line.trim_start_matches('\t') } else { line };
                self.at = (end + 1).min(self.src.len());
                if line == delimiter {
                    break;
                }
            }
        }
    }

    /// One word; `None` if nothing was consumed as a word.
    fn word(&mut self) -> Option<Word> {
        let start = self.at;
        let mut text = String::new();
        let mut quoted = false;
        let mut substitutions = Vec::new();
        while self.at < self.bytes.len() {
            let c = self.bytes[self.at];
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
                b'\\' => {
                    if let Some(n) = self.src[self.at + 1..].chars().next() {
                        if n != '\n' {
                            text.push(n);
                        }
                        self.at += 1 + n.len_utf8();
                    } else {
                        self.at += 1;
                    }
                }
                b'\'' => {
                    quoted = true;
                    let end = self.src[self.at + 1..]
                        .find('\'')
                        .map(|i| self.at + 1 + i)
                        .unwrap_or(self.src.len());
                    text.push_str(&self.src[self.at + 1..end]);
                    self.at = (end + 1).min(self.src.len());
                }
                b'"' => {
                    quoted = true;
                    self.at += 1;
                    while self.at < self.bytes.len() && self.bytes[self.at] != b'"' {
                        match self.bytes[self.at] {
                            b'\\' => {
                                if let Some(n) = self.src[self.at + 1..].chars().next() {
                                    if !matches!(n, '"' | '\\' | '$' | '`' | '\n') {
                                        text.push('\\');
                                    }
                                    if n != '\n' {
                                        text.push(n);
                                    }
                                    self.at += 1 + n.len_utf8();
                                } else {
                                    self.at += 1;
                                }
                            }
                            b'$' if self.peek(1) == Some(b'(') => self.substitution(&mut text, &mut substitutions),
                            b'`' => self.backtick(&mut text, &mut substitutions),
                            _ => {
                                let ch = self.src[self.at..].chars().next().unwrap_or(' ');
                                text.push(ch);
                                self.at += ch.len_utf8();
                            }
                        }
                    }
                    self.at = (self.at + 1).min(self.src.len());
                }
                b'$' if self.peek(1) == Some(b'(') => self.substitution(&mut text, &mut substitutions),
                b'$' if self.peek(1) == Some(b'{') => {
                    let end = self.matching(self.at + 1, b'{', b'}');
                    text.push_str(&self.src[self.at..end]);
                    self.at = end;
                }
                b'`' => self.backtick(&mut text, &mut substitutions),
                _ => {
                    let ch = self.src[self.at..].chars().next().unwrap_or(' ');
                    text.push(ch);
                    self.at += ch.len_utf8();
                }
            }
        }
        if self.at == start {
            // A lone operator character we do not handle: step over it.
            self.at += 1;
            return None;
        }
        Some(Word {
            text,
            start: self.base + start,
            end: self.base + self.at,
            quoted,
            substitutions,
        })
    }

    /// Index one past the bracket matching the one at `open_at`, quotes respected.
    fn matching(&self, open_at: usize, open: u8, close: u8) -> usize {
        let mut depth = 0usize;
        let mut i = open_at;
        let mut quote: Option<u8> = None;
        while i < self.bytes.len() {
            let c = self.bytes[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(b'"') if c == b'\\' => i += 1,
                Some(_) => {}
                None if c == b'\'' || c == b'"' => quote = Some(c),
                None if c == b'\\' => i += 1,
                None if c == open => depth += 1,
                None if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + 1;
                    }
                }
                None => {}
            }
            i += 1;
        }
        self.bytes.len()
    }

    /// At `$(` (or at `(` of `<(`): record the inner command text.
    fn substitution(&mut self, text: &mut String, substitutions: &mut Vec<(String, usize)>) {
        let open = if self.bytes[self.at] == b'(' {
            self.at
        } else {
            self.at + 1
        };
        let end = self.matching(open, b'(', b')');
        let raw = &self.src[self.at..end];
        text.push_str(raw);
        // `$((…))` is arithmetic, not a command.
        if !raw.starts_with("$((") && self.depth < MAX_DEPTH {
            let inner = self
                .src
                .get(open + 1..end.saturating_sub(1).max(open + 1))
                .unwrap_or("");
            substitutions.push((inner.to_string(), self.base + open + 1));
        }
        self.at = end;
    }

    fn backtick(&mut self, text: &mut String, substitutions: &mut Vec<(String, usize)>) {
        let end = self.src[self.at + 1..]
            .find('`')
            .map(|i| self.at + 1 + i)
            .unwrap_or(self.src.len());
        let inner = &self.src[self.at + 1..end];
        text.push('`');
        text.push_str(inner);
        text.push('`');
        substitutions.push((inner.to_string(), self.base + self.at + 1));
        self.at = (end + 1).min(self.src.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(script: &str) -> Vec<String> {
        parse(script).iter().map(|c| c.name().to_string()).collect()
    }

    #[test]
    fn splits_on_operators() {
        assert_eq!(names("a && b || c; d & e\nf"), ["a", "b", "c", "d", "e", "f"]);
        let cmds = parse("curl -s x | sh");
        assert_eq!((cmds[0].stage, cmds[1].stage, cmds[1].stages), (0, 1, 2));
        assert_eq!(cmds[0].pipeline, cmds[1].pipeline);
    }

    #[test]
    fn case_patterns_are_not_pipes() {
        let script = "case \"$ARCH\" in amd64|x86_64) A=x; curl -o f u ;; arm64 | aarch64 ) wget u | tar x ;; *) exit 1 ;; esac && echo done";
        let cmds = parse(script);
        let named: Vec<(&str, usize)> = cmds.iter().map(|c| (c.name(), c.stages)).collect();
        assert_eq!(named, [("curl", 1), ("wget", 2), ("tar", 2), ("exit", 1), ("echo", 1)]);
        // Nested and parenthesised patterns.
        let cmds = parse("case a in (x|y) case b in z|w) ls;; esac;; esac; cat f | grep x");
        let named: Vec<(&str, usize)> = cmds.iter().map(|c| (c.name(), c.stages)).collect();
        assert_eq!(named, [("ls", 1), ("cat", 2), ("grep", 2)]);
        // A case right after `do` or `then` (tianon/dockerfiles docker-master).
        let cmds = parse(
            "for b in *; do case \"$b\" in shim | proxy) continue ;; esac; done; if x; then case $y in a|b) z ;; esac; fi",
        );
        let named: Vec<(&str, usize)> = cmds.iter().map(|c| (c.name(), c.stages)).collect();
        assert_eq!(named, [("continue", 1), ("x", 1), ("z", 1)]);
    }

    #[test]
    fn sees_through_wrappers() {
        let cmds = parse("sudo -u root env DEBIAN_FRONTEND=noninteractive apt-get install -y vim");
        assert_eq!(cmds[0].name(), "apt-get");
        assert_eq!(cmds[0].sudo, Some(0));
        assert_eq!(names("X=1 Y=2 nice -n 5 pip install a"), ["pip"]);
    }

    #[test]
    fn sees_into_sh_c() {
        let script = "bash -lc 'apt-get update && apt-get install -y curl'";
        let cmds = parse(script);
        assert_eq!(
            cmds.iter().map(|c| c.name()).collect::<Vec<_>>(),
            ["apt-get", "apt-get", "bash"]
        );
        assert_eq!(&script[cmds[1].offset..cmds[1].offset + 7], "apt-get");
        assert!(cmds[0].nested);
    }

    #[test]
    fn quotes_escapes_and_substitutions() {
        let cmds = parse("echo \"a b\" 'c d' e\\ f $(curl -fsSL https://x | sh) `wget y`");
        assert_eq!(
            cmds.iter().map(|c| c.name()).collect::<Vec<_>>(),
            ["curl", "sh", "wget", "echo"]
        );
        let echo = &cmds[3];
        assert_eq!(echo.words[1].text, "a b");
        assert_eq!(echo.words[2].text, "c d");
        assert_eq!(echo.words[3].text, "e f");
        assert!(cmds[0].substituted);
        let cmds = parse("bash <(curl -s https://x)");
        assert_eq!(names_of(&cmds), ["curl", "bash"]);
        assert_eq!(cmds[1].words[1].substitutions[0].0, "curl -s https://x");
    }

    #[test]
    fn redirections_and_heredocs_are_not_arguments() {
        let cmds = parse("cat > /etc/x <<EOF\napt-get install vim\nEOF\napk add curl 2>&1 >/dev/null");
        assert_eq!(names_of(&cmds), ["cat", "apk"]);
        assert_eq!(cmds[1].args().len(), 2);
        assert_eq!(names("grep x <<< \"$v\" | wc -l"), ["grep", "wc"]);
    }

    fn names_of(cmds: &[Command]) -> Vec<&str> {
        cmds.iter().map(|c| c.name()).collect()
    }

    #[test]
    fn compound_commands() {
        assert_eq!(
            names("if [ -f x ]; then rm x; else touch x; fi; for i in 1 2; do echo $i; done"),
            ["[", "rm", "touch", "echo"]
        );
        assert_eq!(names("(cd /tmp && make) | tee log"), ["cd", "make", "tee"]);
    }

    #[test]
    fn options() {
        let c = &parse("apt-get -qy install --no-install-recommends a")[0];
        assert!(c.has_option(Some('y'), &["--yes"]));
        assert!(c.has_option(None, &["--no-install-recommends"]));
        assert_eq!(c.after_subcommand(&["install"]).map(|w| w.len()), Some(2));
    }
}
