//! Property tests: the parser and the linter never panic, positions stay in
//! the file, and parsing is insensitive to CRLF line ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use vigie_dockerfile::{parser, shell};
use vigie_rules::dockerfile::{Config, lint};

fn dockerfile_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM alpine:3.19 AS build".to_string()),
        Just("RUN apt-get update && \\".to_string()),
        Just("  apt-get install -y curl | sh".to_string()),
        Just("# comment".to_string()),
        Just("".to_string()),
        Just("RUN <<EOF".to_string()),
        Just("EOF".to_string()),
        Just("COPY --from=build /a /b".to_string()),
        Just("USER root".to_string()),
        Just("ENV TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB".to_string()),
        Just("# escape=`".to_string()),
        Just("ONBUILD RUN sudo pip install x".to_string()),
        "[ -~]{0,40}",
    ]
}

proptest! {
    #[test]
    fn lint_never_panics_and_positions_are_in_the_file(lines in prop::collection::vec(dockerfile_line(), 0..30)) {
        let text = lines.join("\n");
        let line_count = text.split('\n').count().max(1);
        for f in lint(&text, "Dockerfile", &Config::default()) {
            prop_assert!(f.line >= 1 && f.line <= line_count, "{} {}", f.line, line_count);
            prop_assert!(f.column >= 1);
        }
    }

    #[test]
    fn crlf_parses_like_lf(lines in prop::collection::vec(dockerfile_line(), 0..20)) {
        let lf = parser::parse(&lines.join("\n"));
        let crlf = parser::parse(&lines.join("\r\n"));
        let a: Vec<_> = lf.instructions.iter().map(|i| (i.keyword, i.args.clone(), i.span)).collect();
        let b: Vec<_> = crlf.instructions.iter().map(|i| (i.keyword, i.args.clone(), i.span)).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn any_text_lints(text in "(\\PC|\n|\r|\\\\|`|<<|EOF){0,200}") {
        let _ = lint(&text, "Dockerfile", &Config::default());
        let _ = lint(&format!("# escape=`\nFROM a\nRUN {text}"), "Dockerfile", &Config::default());
    }

    #[test]
    fn shell_never_panics(script in "[ -~\\n]{0,120}") {
        for c in shell::parse(&script) {
            prop_assert!(c.offset <= script.len());
        }
    }
}
